//! The fixture's deployment is given with a password, as a user types it: the mask on screen
//! and in what `update` asks the runtime to do is the code's, and the password is nowhere.
//! (Each snapshot test also checks its own screens, in `screens.rs`.)

use crate::common;

use common::tui::*;
use mwatch::app::msg::Cmd;

const MASKED: &str = "mongodb://ann:****@127.0.0.1:27017/?replicaSet=rs0";

#[test]
fn the_snapshot_files_show_the_user_and_a_mask_never_the_password() {
    assert!(URI.contains(PASSWORD));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tui/snapshots");
    let mut titles = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(PASSWORD), "{}:\n{text}", path.display());
        // A title bar names the deployment; narrow ones cut it (after the host, or at 60
        // columns inside the mask): what shows is the start of the masked URI.
        if let Some((_, shown)) = text.split_once("│ mongodb://") {
            titles += 1;
            let shown = format!(
                "mongodb://{}",
                shown.split(char::is_whitespace).next().unwrap_or_default()
            );
            assert!(
                MASKED.starts_with(&shown) || shown.starts_with(MASKED),
                "{}:\n{text}",
                path.display()
            );
        }
    }
    assert!(titles > 0, "no snapshot in {} shows a title", dir.display());
}

#[test]
fn no_command_carries_the_password() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1), insert(2)]);
    let mut cmds = press(&mut state, 'y');
    press(&mut state, 'w');
    cmds.extend(enter(&mut state));
    press(&mut state, 'b');
    enter(&mut state);
    cmds.extend(enter(&mut state));
    cmds.extend(press(&mut state, 'B'));
    for cmd in &cmds {
        let shown = format!("{cmd:?}");
        assert!(!shown.contains(PASSWORD), "{shown}");
    }
    let saved: Vec<&str> = cmds
        .iter()
        .filter_map(|cmd| match cmd {
            Cmd::SaveBookmark(bookmark) => Some(bookmark.deployment.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(saved, [MASKED]);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Copy(_)))
            && cmds.iter().any(|c| matches!(c, Cmd::WriteFile { .. })),
        "{cmds:?}"
    );
}
