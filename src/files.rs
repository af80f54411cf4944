//! Files mwatch keeps for the user (bookmarks, the pipeline history), all under one policy:
//! private to their owner; changed under a lock (read, change, write) so that sessions sharing
//! a home do not undo or break each other's saves; replaced atomically. A file that is read
//! but not understood is moved aside (so nothing of it is lost and the next save starts
//! afresh); one that cannot be read now, or that a newer mwatch wrote, is left as it is and
//! not written over. Nothing is written through a symbolic link found in a kept file's place
//! (or its backup's, temporary file's or lock's): a link there may point at any file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bson::DateTime;

use crate::format::utc_seconds;

/// Why a kept file's bytes are not used, as its format's parser says.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// Says what is wrong and where (`file:line:column: ...`).
    #[error("{0}")]
    Bad(String),
    #[error("written by a newer mwatch (format {found}; this one reads {reads})")]
    Newer { found: u32, reads: u32 },
}

/// A kept file as read under the policy.
#[derive(Debug, PartialEq)]
pub enum Kept<T> {
    /// Its contents, and the bytes they were read from (to back up the very file that was
    /// understood); a file not there yet reads as empty (`T::default()`, no bytes).
    Read { contents: T, bytes: Option<Vec<u8>> },
    /// Read but not understood: moved to `aside`; start afresh.
    SetAside { problem: String, aside: PathBuf },
    /// Not read now (an I/O error), written by a newer mwatch, or not understood and not
    /// movable: left where it is, not to be written over. The text says why.
    LeftAlone(String),
}

/// The most mwatch reads of a file whole (a kept file, a pipeline file, bookmarks to import):
/// far more than any of them holds, and a bound on what a wrong path (`/dev/zero`) takes.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// The bytes of the file at `path`, at most [`MAX_FILE`] of them: a larger file is an error
/// (`FileTooLarge`), read no further.
pub fn read_bounded(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        let larger = format!("larger than {} MiB", MAX_FILE >> 20);
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, larger));
    }
    Ok(bytes)
}

/// Reads the kept file at `path` with `parse`, under the policy.
pub fn read_kept<T: Default>(
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<T, FormatError>,
) -> Kept<T> {
    let bytes = match read_bounded(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let contents = T::default();
            return Kept::Read {
                contents,
                bytes: None,
            };
        }
        Err(e) => {
            let problem = format!("cannot read {}: {e}", path.display());
            return Kept::LeftAlone(format!("{problem}; it is left as it is"));
        }
    };
    match parse(&bytes) {
        Ok(contents) => Kept::Read {
            contents,
            bytes: Some(bytes),
        },
        Err(newer @ FormatError::Newer { .. }) => Kept::LeftAlone(format!(
            "{} was {newer}; it is left as it is",
            path.display()
        )),
        Err(FormatError::Bad(problem)) => {
            let aside = aside_path(path);
            match fs::rename(path, &aside) {
                Ok(()) => Kept::SetAside { problem, aside },
                Err(e) => Kept::LeftAlone(format!("{problem}; it could not be moved aside ({e})")),
            }
        }
    }
}

/// Held (until dropped) while a read-change-write of the kept file at `path` is under way, by
/// every mwatch: `PATH.lock`, its own file because `path` is replaced on every write.
pub fn lock(path: &Path) -> Result<File, String> {
    let lock_path = sibling(path, ".lock");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = private_options()
        .write(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| {
            // Opened without following a link, which fails with a bare "too many levels".
            if fs::symlink_metadata(&lock_path).is_ok_and(|m| m.is_symlink()) {
                return format!("{} is a symbolic link; remove it", lock_path.display());
            }
            format!("cannot open {}: {e}", lock_path.display())
        })?;
    file.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    Ok(file)
}

/// `path` + `suffix` (`bookmarks.json.bak`), in the same directory (so a rename stays atomic).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Where a file that is not understood is moved aside:
/// `bookmarks.json.corrupt-2026-11-21T10-00-00Z`, with a `.2`, ... if that exists.
fn aside_path(path: &Path) -> PathBuf {
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

/// Keeps `bytes`, the file at `path` as [`read_kept`] read it, as `PATH.bak` (private,
/// replaced as [`write_atomically`] replaces a file: a link in its place is replaced, not
/// followed).
pub fn back_up(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically(&sibling(path, ".bak"), bytes)
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either the old or the
/// new file, whole. Callers hold the [`lock`], so a temporary file found here is a leftover of
/// a crash, and is removed (a link there too: the link, not what it points at). A link at
/// `path` is replaced by the file, never written through; the temporary file is created new,
/// so nothing put in its place after the removal is written through either.
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

/// Files readable by their owner only (tokens, deployments and pipelines are private),
/// opened only if they are not symbolic links (a link may point at any file).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
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
