//! The bookmark store's file: written whole or not at all, private, never through a link; a
//! file it cannot read or understand is reported and left where it is.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::home::Home;

use super::bookmarks::named;
use mwatch::bookmarks::{BookmarkStore, StoreError};

#[test]
fn a_crash_mid_write_leaves_the_old_file_intact() {
    let home = Home::new();
    home.store().add(named("kept", 1)).unwrap();
    let before = fs::read(home.file()).unwrap();
    // A writer that died after writing half of the new version, before renaming it.
    let leftover = home.dir.path().join("bookmarks.json.tmp");
    fs::write(&leftover, &before[..before.len() / 2]).unwrap();

    let mut store = home.store();
    assert_eq!(store.take_warning(), None);
    assert_eq!(fs::read(home.file()).unwrap(), before);
    assert_eq!(home.names(), ["kept"]);
    store.add(named("next", 2)).unwrap();
    assert_eq!(home.names(), ["kept", "next"]);
    assert!(
        !leftover.exists(),
        "the leftover is cleaned up by the next save"
    );
}

fn aside_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    found.sort();
    found
}

#[test]
fn a_corrupt_file_is_moved_aside_reported_and_never_overwritten() {
    let home = Home::new();
    let broken = "{\n  \"version\": 1,\n  \"bookmarks\": [ {\"name\": \"x\" ]\n}\n";
    fs::write(home.file(), broken).unwrap();

    let mut store = home.store();
    let warning = store.take_warning().expect("a warning");
    let aside = aside_files(home.dir.path());
    assert_eq!(aside.len(), 1);
    assert!(
        warning.starts_with(&format!("{}:3:", home.file().display())),
        "{warning}"
    );
    assert!(
        warning.contains(&aside[0].display().to_string()),
        "{warning}"
    );
    assert!(store.list().is_empty());
    assert!(!home.file().exists());

    store.add(named("new", 1)).unwrap();
    assert_eq!(fs::read_to_string(&aside[0]).unwrap(), broken);
    assert_eq!(home.names(), ["new"]);

    // Not readable now (here: a directory where the file should be) is not corrupt: it is
    // left where it is and not written over.
    fs::remove_file(home.file()).unwrap();
    fs::create_dir(home.file()).unwrap();
    let mut store = home.store();
    assert!(store.take_warning().unwrap().contains("cannot read"));
    assert_eq!(aside_files(home.dir.path()).len(), 1);
    assert!(matches!(
        store.add(named("again", 1)),
        Err(StoreError::ReadOnly(_))
    ));
    assert!(home.file().is_dir());
}

/// `bookmarks list` only reads: a store it cannot read (a directory in its place) is reported
/// as an error and left where it is, never moved aside as corrupt.
#[tokio::test]
async fn list_reports_a_directory_in_place_of_the_store_and_leaves_it() {
    let home = Home::new();
    fs::create_dir(home.file()).unwrap();
    let (code, stdout, stderr) = home.run(&["bookmarks", "list"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert_eq!(stdout, "", "no 'no bookmarks' when they could not be read");
    assert!(home.file().is_dir());
    assert!(aside_files(home.dir.path()).is_empty());
}

/// The same for a store mwatch may not read. Root reads any file, so as root the command
/// runs as `nobody` (uid 65534), which may not.
#[cfg(unix)]
#[tokio::test]
async fn list_reports_a_store_it_may_not_read_and_leaves_it() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let home = Home::new();
    home.store().add(named("a", 1)).unwrap();
    let before = fs::read(home.file()).unwrap();
    fs::set_permissions(home.file(), fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = common::cli::mwatch(&["bookmarks", "list"]);
    command.env("MWATCH_HOME", home.dir.path());
    if fs::metadata(home.dir.path()).unwrap().uid() == 0 {
        fs::set_permissions(home.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        command.uid(65534);
    }
    let (code, stdout, stderr) = common::cli::finish(command.spawn().unwrap()).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert_eq!(stdout, "");
    assert!(aside_files(home.dir.path()).is_empty());
    fs::set_permissions(home.file(), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(fs::read(home.file()).unwrap(), before);
}

#[test]
fn a_file_from_a_newer_mwatch_is_left_alone() {
    let home = Home::new();
    let future = r#"{"version": 2, "bookmarks": {"new": "shape"}}"#;
    fs::write(home.file(), future).unwrap();
    let mut store = home.store();
    assert!(store.take_warning().unwrap().contains("newer mwatch"));
    assert!(matches!(
        store.add(named("x", 1)),
        Err(StoreError::ReadOnly(_))
    ));
    assert_eq!(fs::read_to_string(home.file()).unwrap(), future);
}

/// A store mwatch may not write is a failure (exit 1), not a usage error (exit 2), and the
/// file is left as it was.
#[tokio::test]
async fn a_store_that_cannot_be_written_fails_the_command_with_exit_1() {
    let home = Home::new();
    let future = r#"{"version": 2, "bookmarks": {"new": "shape"}}"#;
    fs::write(home.file(), future).unwrap();
    let import = home.dir.path().join("import.json");
    fs::write(&import, "[]").unwrap();
    for args in [
        &["bookmarks", "rm", "x"][..],
        &["bookmarks", "import", import.to_str().unwrap()],
    ] {
        let (code, _, stderr) = home.run(args).await;
        assert_eq!(code, 1, "{args:?}: {stderr}");
        // The reason is given once, with what it means.
        let reason = format!("{} was written by a newer mwatch", home.file().display());
        assert!(
            stderr.starts_with(&format!("mwatch: bookmarks are not saved: {reason}")),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.matches(&reason).count(), 1, "{args:?}: {stderr}");
        assert_eq!(fs::read_to_string(home.file()).unwrap(), future);
    }
}

/// A link in the lock file's place is not followed, and the error says why.
#[cfg(unix)]
#[tokio::test]
async fn a_link_in_place_of_the_lock_is_named_as_the_cause() {
    let home = Home::new();
    let lock = home.dir.path().join("bookmarks.json.lock");
    std::os::unix::fs::symlink(home.dir.path().join("elsewhere"), &lock).unwrap();
    let import = home.dir.path().join("import.json");
    fs::write(&import, "[]").unwrap();
    let (code, _, stderr) = home
        .run(&["bookmarks", "import", import.to_str().unwrap()])
        .await;
    assert_eq!(code, 1, "{stderr}");
    let cause = format!("{} is a symbolic link; remove it", lock.display());
    assert!(stderr.contains(&cause), "{stderr}");
    assert!(!home.dir.path().join("elsewhere").exists());
}

#[cfg(unix)]
#[test]
fn files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let mut store = home.store();
    store.add(named("a", 1)).unwrap();
    store.add(named("b", 2)).unwrap();
    let export = home.dir.path().join("export.json");
    store.export_to(&export).unwrap();
    for file in [
        home.file(),
        home.dir.path().join("bookmarks.json.bak"),
        export,
    ] {
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    // A store in folders that are not there yet makes them, for its owner only.
    let dir = home.dir.path().join("new/data");
    BookmarkStore::open(dir.join("bookmarks.json"))
        .add(named("c", 3))
        .unwrap();
    let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

/// The store and its backup are written by replacing them, never through a link found in
/// their place (another user's, or an attacker's, pointing at a file to overwrite), and the
/// backup is private whatever the mode of the file it copies.
#[cfg(unix)]
#[test]
fn links_in_place_of_the_store_files_are_never_written_through() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let home = Home::new();
    let at = |name: &str| home.dir.path().join(name);
    let victim = at("victim");
    fs::write(&victim, "precious").unwrap();
    let mut store = home.store();
    store.add(named("a", 1)).unwrap();
    for (n, link) in ["bookmarks.json.bak", "bookmarks.json.tmp"]
        .iter()
        .enumerate()
    {
        symlink(&victim, at(link)).unwrap();
        store
            .add(named(&format!("after {link}"), 2 + n as u32))
            .unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious", "{link}");
    }
    let backup = fs::symlink_metadata(at("bookmarks.json.bak")).unwrap();
    assert!(backup.is_file(), "the link is replaced by a file");
    assert_eq!(
        home.names(),
        ["a", "after bookmarks.json.bak", "after bookmarks.json.tmp"]
    );

    // A store that is itself a link is read, and replaced by a file on the next change.
    fs::rename(home.file(), &victim).unwrap();
    let kept = fs::read(&victim).unwrap();
    symlink(&victim, home.file()).unwrap();
    home.store().add(named("b", 9)).unwrap();
    assert_eq!(fs::read(&victim).unwrap(), kept);
    assert!(fs::symlink_metadata(home.file()).unwrap().is_file());
    assert_eq!(home.names().len(), 4);

    // A lock file that is a link (here to nowhere) is refused, not created where it points.
    let nowhere = at("created-through-the-link");
    fs::remove_file(at("bookmarks.json.lock")).unwrap();
    symlink(&nowhere, at("bookmarks.json.lock")).unwrap();
    let error = home.store().add(named("c", 10)).unwrap_err();
    assert!(matches!(error, StoreError::Io(_)), "{error}");
    assert!(!nowhere.exists());
    fs::remove_file(at("bookmarks.json.lock")).unwrap();

    // A store made by hand, readable by all: its backup is private all the same.
    fs::set_permissions(home.file(), fs::Permissions::from_mode(0o644)).unwrap();
    home.store().add(named("d", 11)).unwrap();
    for file in [home.file(), at("bookmarks.json.bak")] {
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}
