//! `pipelines.json`, beside the bookmarks: the pipelines applied, per deployment (filed under
//! its [`DeploymentId::key`](crate::deployment::DeploymentId::key), which holds no user name or
//! password), kept between runs for Alt-Up. Bounded: the newest pipelines of the deployments
//! used last. Kept under the policy of `files` (changed under a lock, a file not understood
//! moved aside, one unreadable now or newer left alone), and never fatal: problems are reported.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::deployment::DeploymentId;
use crate::files::{lock, read_kept, write_atomically, FormatError, Kept};
use crate::redact::RedactedUri;

/// Pipelines kept per deployment.
pub const PER_DEPLOYMENT: usize = 50;
/// Deployments kept, the ones used last.
pub const DEPLOYMENTS: usize = 20;
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    /// The deployment used last first.
    deployments: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    deployment: String,
    /// Oldest first.
    pipelines: Vec<String>,
}

/// What the history of pipelines run on `uri` is filed under: its hosts and replica set
/// (the text itself, password hidden, if it is not a connection string).
pub fn history_key(uri: &RedactedUri) -> String {
    DeploymentId::of(uri).map_or_else(|| uri.to_string(), |id| id.key())
}

/// The history file beside the bookmark store at `bookmarks`.
pub fn path_beside(bookmarks: &Path) -> PathBuf {
    bookmarks.with_file_name("pipelines.json")
}

/// The pipelines kept for `deployment`, oldest first; else what the user should know of the
/// file (moved aside, or left as it is).
pub fn load(path: &Path, deployment: &str) -> Result<Vec<String>, String> {
    let file = match read_kept(path, |bytes| parse(bytes, path)) {
        Kept::Read { contents, .. } => contents,
        Kept::SetAside { problem, aside } => return Err(moved(&problem, &aside)),
        Kept::LeftAlone(reason) => return Err(reason),
    };
    Ok(file
        .deployments
        .into_iter()
        .find(|e| e.deployment == deployment)
        .map(|e| e.pipelines)
        .unwrap_or_default())
}

/// Adds `pipelines` (oldest first) to what the file keeps for `deployment`, which becomes the
/// deployment used last. Another mwatch may have added some since the load: they are kept.
/// An error is what the user should know: not saved, or saved afresh after the file was moved
/// aside.
pub fn save(path: &Path, deployment: &str, pipelines: &[String]) -> Result<(), String> {
    let not_saved = |problem: String| format!("pipeline history not saved: {problem}");
    let _lock = lock(path).map_err(not_saved)?;
    let (mut file, moved_aside) = match read_kept(path, |bytes| parse(bytes, path)) {
        Kept::Read { contents, .. } => (contents, None),
        Kept::SetAside { problem, aside } => {
            (HistoryFile::default(), Some(moved(&problem, &aside)))
        }
        Kept::LeftAlone(reason) => return Err(not_saved(reason)),
    };
    let at = file
        .deployments
        .iter()
        .position(|e| e.deployment == deployment);
    let mut entry = match at {
        Some(at) => file.deployments.remove(at),
        None => Entry {
            deployment: deployment.to_string(),
            pipelines: Vec::new(),
        },
    };
    for text in pipelines {
        remember(&mut entry.pipelines, text);
    }
    file.deployments.insert(0, entry);
    file.deployments.truncate(DEPLOYMENTS);
    file.version = VERSION;
    let mut text = serde_json::to_string_pretty(&file).expect("the history serializes");
    text.push('\n');
    write_atomically(path, text.as_bytes())
        .map_err(|e| not_saved(format!("cannot write {}: {e}", path.display())))?;
    moved_aside.map_or(Ok(()), Err)
}

/// Puts `text` last in `list` (oldest first), once, and keeps the newest
/// [`PER_DEPLOYMENT`].
pub fn remember(list: &mut Vec<String>, text: &str) {
    let text = text.trim();
    list.retain(|t| t.trim() != text);
    list.push(text.to_string());
    let extra = list.len().saturating_sub(PER_DEPLOYMENT);
    list.drain(..extra);
}

#[derive(Deserialize)]
struct Header {
    version: u32,
}

/// The file's contents, or what is wrong with them. The version is read first: a newer file
/// may hold anything.
fn parse(bytes: &[u8], path: &Path) -> Result<HistoryFile, FormatError> {
    let bad = |e: serde_json::Error| {
        FormatError::Bad(format!(
            "{}:{}:{}: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    };
    let header: Header = serde_json::from_slice(bytes).map_err(bad)?;
    if header.version > VERSION {
        return Err(FormatError::Newer {
            found: header.version,
            reads: VERSION,
        });
    }
    serde_json::from_slice(bytes).map_err(bad)
}

/// What the user is told of a file moved aside.
fn moved(problem: &str, aside: &Path) -> String {
    format!(
        "{problem}; mwatch moved it to {} and starts with no pipeline history",
        aside.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const HERE: &str = "mongodb://db1:27017/?replicaSet=rs0";

    #[test]
    fn pipelines_are_kept_per_deployment_newest_last_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_beside(&dir.path().join("home/bookmarks.json"));
        assert_eq!(load(&path, HERE), Ok(Vec::new()), "no file yet");
        save(&path, HERE, &["".into(), "{$match: {a: 1}}".into()]).unwrap();
        save(&path, "mongodb://other:1/", &["{x: 1}".into()]).unwrap();
        save(&path, HERE, &["{$match: {b: 2}}".into(), "".into()]).unwrap();
        assert_eq!(
            load(&path, HERE).unwrap(),
            ["{$match: {a: 1}}", "{$match: {b: 2}}", ""]
        );
        assert_eq!(load(&path, "mongodb://other:1/").unwrap(), ["{x: 1}"]);
        let many: Vec<String> = (0..PER_DEPLOYMENT + 5)
            .map(|n| format!("{{n: {n}}}"))
            .collect();
        save(&path, HERE, &many).unwrap();
        let kept = load(&path, HERE).unwrap();
        assert_eq!(kept.len(), PER_DEPLOYMENT);
        assert_eq!(
            kept.last().unwrap(),
            &format!("{{n: {}}}", PER_DEPLOYMENT + 4)
        );
        for n in 0..DEPLOYMENTS + 3 {
            save(&path, &format!("mongodb://h{n}:1/"), &["{}".into()]).unwrap();
        }
        assert!(
            load(&path, HERE).unwrap().is_empty(),
            "used longest ago: gone"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_is_reported_and_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipelines.json");
        fs::write(&path, "{ broken").unwrap();
        let error = load(&path, HERE).unwrap_err();
        assert!(error.contains("pipelines.json:1:"), "{error}");
        assert!(error.contains("moved it to"), "{error}");
        assert!(!path.exists());
        assert_eq!(load(&path, HERE), Ok(Vec::new()));
        save(&path, HERE, &["{}".into()]).unwrap();
        assert_eq!(load(&path, HERE).unwrap(), ["{}"]);
    }

    /// Only a file that is read and not understood is moved aside: one mwatch cannot read
    /// now (here a directory in its place, as an I/O error would) or one a newer mwatch wrote
    /// is left as it is, reported, and not written over.
    #[test]
    fn a_file_read_but_not_understood_is_the_only_one_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipelines.json");
        fs::create_dir(&path).unwrap();
        let error = load(&path, HERE).unwrap_err();
        assert!(error.contains("left as it is"), "{error}");
        assert!(path.is_dir(), "still there");
        fs::remove_dir(&path).unwrap();

        let newer = r#"{"version": 9, "deployments": "the future"}"#;
        fs::write(&path, newer).unwrap();
        let error = load(&path, HERE).unwrap_err();
        assert!(error.contains("newer mwatch"), "{error}");
        assert!(error.contains("left as it is"), "{error}");
        assert!(save(&path, HERE, &["{}".into()]).is_err());
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            newer,
            "not written over"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "and the lock");
    }

    /// Sessions sharing one $MWATCH_HOME save at the same time: each save reads, changes and
    /// writes the file under the lock, so none undoes another or breaks its write.
    #[test]
    fn saves_at_the_same_time_keep_every_pipeline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipelines.json");
        std::thread::scope(|scope| {
            for t in 0..4 {
                let path = &path;
                scope.spawn(move || {
                    for n in 0..12 {
                        save(path, HERE, &[format!("{{t: {t}, n: {n}}}")]).unwrap();
                    }
                });
            }
        });
        assert_eq!(load(&path, HERE).unwrap().len(), 48);
    }
}
