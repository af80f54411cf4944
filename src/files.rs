//! Files mwatch keeps for the user (bookmarks, the pipeline history): private to their owner,
//! replaced atomically, set aside when they cannot be read.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bson::DateTime;

use crate::format::utc_seconds;

/// `path` + `suffix` (`bookmarks.json.bak`), in the same directory (so a rename stays atomic).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Where a file that cannot be read is moved aside:
/// `bookmarks.json.corrupt-2026-11-21T10-00-00Z`, with a `.2`, ... if that exists.
pub fn aside_path(path: &Path) -> PathBuf {
    let now = utc_seconds(DateTime::now().timestamp_millis()).replace(':', "-");
    let base = sibling(path, &format!(".corrupt-{now}"));
    (1..)
        .map(|n| match n {
            1 => base.clone(),
            n => sibling(&base, &format!(".{n}")),
        })
        .find(|candidate| !candidate.exists())
        .expect("some suffix is free")
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either the old or the
/// new file, whole. Callers serialize writers, so a temporary file found here is a leftover of
/// a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = sibling(path, ".tmp");
    let _ = fs::remove_file(&temp);
    let written = private_options()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(path)
}

/// Files readable by their owner only (tokens, deployments and pipelines are private).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes the rename itself durable (on Unix a directory can be synced).
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
