//! Writing the event to the file the user named (`Cmd::WriteFile`).

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::app::msg::Msg;

/// Where a name the user typed points: `~` (alone or before `/`) is the home directory, and a
/// relative name is in `cwd`.
fn resolve(typed: &Path, cwd: &Path, home: Option<&Path>) -> Result<PathBuf, String> {
    let path = match typed.strip_prefix("~") {
        Ok(rest) => match home {
            Some(home) => home.join(rest),
            None => return Err("cannot write to ~: no home directory is known".to_string()),
        },
        Err(_) => typed.to_path_buf(),
    };
    Ok(cwd.join(path))
}

/// Writes `contents` to the file the user `typed`, replacing one that is there only if
/// `overwrite`; what to tell the user, always with the absolute path.
pub(super) fn write_file(typed: PathBuf, contents: String, overwrite: bool) -> Msg {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = match resolve(&typed, &cwd, dirs::home_dir().as_deref()) {
        Ok(path) => path,
        Err(e) => return Msg::Done(Err(e)),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let written = options
        .open(&path)
        .and_then(|mut file| file.write_all(contents.as_bytes()));
    match written {
        Ok(()) => Msg::Done(Ok(format!("wrote the event to {}", path.display()))),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Msg::FileExists {
            typed: typed.display().to_string(),
            path,
            contents,
        },
        Err(e) => Msg::Done(Err(format!("cannot write {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_is_made_absolute_with_the_home_directory_for_a_tilde() {
        let (cwd, home) = (Path::new("/work"), Some(Path::new("/home/ann")));
        let resolved = |typed: &str| resolve(Path::new(typed), cwd, home);
        assert_eq!(resolved("e.json"), Ok("/work/e.json".into()));
        assert_eq!(resolved("out/e.json"), Ok("/work/out/e.json".into()));
        assert_eq!(resolved("/tmp/e.json"), Ok("/tmp/e.json".into()));
        assert_eq!(resolved("~/e.json"), Ok("/home/ann/e.json".into()));
        assert_eq!(resolved("~"), Ok("/home/ann".into()));
        assert_eq!(
            resolved("~ann/e.json"),
            Ok("/work/~ann/e.json".into()),
            "only the user's own ~ is known"
        );
        assert!(resolve(Path::new("~/e.json"), cwd, None).is_err());
    }
}
