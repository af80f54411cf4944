//! `bookmarks.json`: where bookmarks live between runs.
//!
//! Nothing saved is lost: every change re-reads the file under a lock (so a TUI and a
//! `mwatch bookmarks` command in another terminal do not undo each other), writes the new
//! version to a temporary file, syncs it and renames it over the old one, keeping the old one
//! as `bookmarks.json.bak`. A file that is not understood is moved aside, never overwritten;
//! one that cannot be read now or that a newer mwatch wrote is left as it is (`files`).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::names::Names;
use super::{check_name, close_names, token_time, Bookmark};
use crate::files::{
    back_up, lock, private_options, read_bounded, read_kept, sibling, write_atomically,
    FormatError, Kept,
};

/// The version of the file format this mwatch writes.
const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("no bookmark is named '{name}'{}", did_you_mean(.close))]
    Unknown { name: String, close: Vec<String> },
    #[error("a bookmark named '{0}' already exists")]
    NameTaken(String),
    #[error("{0}")]
    BadName(String),
    /// A file given to import (or export) that cannot be used.
    #[error("{0}")]
    BadFile(String),
    /// The store file is not in a state mwatch may write over.
    #[error("bookmarks are not saved: {0}")]
    ReadOnly(String),
    #[error("{0}")]
    Io(String),
}

impl StoreError {
    /// The user asked for something impossible (as opposed to the disk failing).
    pub fn is_usage(&self) -> bool {
        !matches!(self, StoreError::ReadOnly(_) | StoreError::Io(_))
    }
}

fn did_you_mean(close: &[String]) -> String {
    match close {
        [] => String::new(),
        names => format!("; did you mean '{}'?", names.join("', '")),
    }
}

fn io_error(what: &str, path: &Path, error: io::Error) -> StoreError {
    StoreError::Io(format!("cannot {what} {}: {error}", path.display()))
}

/// `$MWATCH_HOME/bookmarks.json`, else `mwatch/bookmarks.json` in the platform's data
/// directory (`$XDG_DATA_HOME`, else `~/.local/share` on Linux).
pub fn default_path() -> Result<PathBuf, StoreError> {
    let home = std::env::var_os("MWATCH_HOME").filter(|home| !home.is_empty());
    let dir = match home {
        Some(home) => PathBuf::from(home),
        None => dirs::data_dir()
            .map(|data| data.join("mwatch"))
            .ok_or_else(|| {
                StoreError::Io(
                    "cannot find a data directory for bookmarks; set MWATCH_HOME".to_string(),
                )
            })?,
    };
    Ok(dir.join("bookmarks.json"))
}

/// What was added by an import, and what was not, by name.
#[derive(Debug, Default, PartialEq)]
pub struct ImportReport {
    pub added: Vec<String>,
    /// `(name in the file, name given)`: the name was taken by a different bookmark.
    pub renamed: Vec<(String, String)>,
    /// Already in the store: same name, same token.
    pub skipped: Vec<String>,
}

#[derive(Debug)]
pub struct BookmarkStore {
    path: PathBuf,
    /// Sorted by cluster time.
    bookmarks: Vec<Bookmark>,
    /// Why the file must not be written over, if it must not.
    blocked: Option<String>,
    warning: Option<String>,
}

impl BookmarkStore {
    /// Reads the store at `path` (missing is empty). Problems with the file do not fail:
    /// they leave a warning for [`BookmarkStore::take_warning`].
    pub fn open(path: PathBuf) -> BookmarkStore {
        let mut store = BookmarkStore {
            path,
            bookmarks: Vec::new(),
            blocked: None,
            warning: None,
        };
        store.load();
        store
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A problem found while reading the file (moved aside, or left alone and not written),
    /// once.
    pub fn take_warning(&mut self) -> Option<String> {
        self.warning.take()
    }

    /// Why the file was not read (it cannot be now, or a newer mwatch wrote it), if it was not:
    /// then it is not written either.
    pub fn unread(&self) -> Option<&str> {
        self.blocked.as_deref()
    }

    /// Every bookmark, oldest cluster time first (those without one last).
    pub fn list(&self) -> &[Bookmark] {
        &self.bookmarks
    }

    pub fn get(&self, name: &str) -> Option<&Bookmark> {
        self.bookmarks.iter().find(|b| b.name == name)
    }

    /// Like [`BookmarkStore::get`], with close names in the error.
    pub fn find(&self, name: &str) -> Result<&Bookmark, StoreError> {
        self.get(name).ok_or_else(|| self.unknown(name))
    }

    /// Saves `bookmark`; returns the name it was saved under. Its default name is made unique
    /// (`name#2`, ...); a chosen name that is taken is refused.
    pub fn add(&mut self, mut bookmark: Bookmark) -> Result<String, StoreError> {
        check_name(&bookmark.name).map_err(StoreError::BadName)?;
        self.change(|bookmarks| {
            let mut names = Names::of(bookmarks.iter().map(|b| b.name.as_str()));
            if names.contains(&bookmark.name) && bookmark.name != bookmark.default_name() {
                return Err(StoreError::NameTaken(bookmark.name.clone()));
            }
            bookmark.name = names.claim_unique(&bookmark.name);
            let name = bookmark.name.clone();
            bookmarks.push(bookmark);
            Ok(name)
        })
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), StoreError> {
        check_name(to).map_err(StoreError::BadName)?;
        self.change(|bookmarks| {
            if from != to && bookmarks.iter().any(|b| b.name == to) {
                return Err(StoreError::NameTaken(to.to_string()));
            }
            let index = bookmarks.iter().position(|b| b.name == from);
            let index = index.ok_or_else(|| unknown(from, bookmarks))?;
            bookmarks[index].name = to.to_string();
            Ok(())
        })
    }

    /// Deletes a bookmark; returns it.
    pub fn remove(&mut self, name: &str) -> Result<Bookmark, StoreError> {
        self.change(|bookmarks| {
            let index = bookmarks.iter().position(|b| b.name == name);
            Ok(bookmarks.remove(index.ok_or_else(|| unknown(name, bookmarks))?))
        })
    }

    /// The bookmarks in the store's file format, which [`BookmarkStore::import`] reads.
    pub fn export(&self) -> String {
        to_file_text(&self.bookmarks)
    }

    /// Writes [`BookmarkStore::export`] to a new file (mode 0600: tokens and deployments are
    /// private); an existing file is not overwritten.
    pub fn export_to(&self, path: &Path) -> Result<(), StoreError> {
        // Created here or refused: no check-then-write gap, and no temporary file next to it
        // (`write_atomically` would remove a `PATH.tmp` of the user's).
        let mut file = private_options()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => StoreError::BadFile(format!(
                    "{} already exists; export to a new file",
                    path.display()
                )),
                _ => io_error("write", path, e),
            })?;
        file.write_all(self.export().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error("write", path, e))
    }

    /// Adds the bookmarks of an exported file (or of `list --json` output), all or none.
    /// A name that is taken by a different bookmark gets a `#2` suffix; a bookmark that is
    /// already there (same name, same token) is skipped.
    pub fn import(&mut self, path: &Path) -> Result<ImportReport, StoreError> {
        let bytes = read_bounded(path)
            .map_err(|e| StoreError::BadFile(format!("cannot read {}: {e}", path.display())))?;
        let incoming = parse(&bytes, path).map_err(|e| match e {
            FormatError::Bad(problem) => StoreError::BadFile(problem),
            newer => StoreError::BadFile(format!("{}: {newer}", path.display())),
        })?;
        for bookmark in &incoming {
            check_name(&bookmark.name)
                .map_err(|e| StoreError::BadFile(format!("{}: {e}", path.display())))?;
            // Checked as `--pipeline` checks what is typed: a file may hold any stage.
            crate::pipeline::parse(&crate::pipeline::to_text(&bookmark.pipeline)).map_err(|e| {
                StoreError::BadFile(format!(
                    "{}: the pipeline of bookmark '{}': {}",
                    path.display(),
                    bookmark.name,
                    e.message
                ))
            })?;
        }
        self.change(|bookmarks| {
            let mut report = ImportReport::default();
            let mut names = Names::of(bookmarks.iter().map(|b| b.name.as_str()));
            // Where each name's bookmark is, those imported included.
            let mut at: HashMap<String, usize> = (bookmarks.iter().enumerate())
                .map(|(i, b)| (b.name.clone(), i))
                .collect();
            for mut bookmark in incoming {
                match at.get(&bookmark.name).map(|&i| &bookmarks[i]) {
                    Some(b) if b.token == bookmark.token => {
                        report.skipped.push(bookmark.name);
                        continue;
                    }
                    Some(_) => {
                        let name = names.claim_unique(&bookmark.name);
                        report.renamed.push((bookmark.name, name.clone()));
                        bookmark.name = name;
                    }
                    None => {
                        names.insert(&bookmark.name);
                        report.added.push(bookmark.name.clone());
                    }
                }
                at.insert(bookmark.name.clone(), bookmarks.len());
                bookmarks.push(bookmark);
            }
            Ok(report)
        })
    }

    fn unknown(&self, name: &str) -> StoreError {
        unknown(name, &self.bookmarks)
    }

    /// Applies `edit` to the bookmarks as they are on disk now, and saves the result.
    fn change<T>(
        &mut self,
        edit: impl FnOnce(&mut Vec<Bookmark>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = lock(&self.path).map_err(StoreError::Io)?;
        let on_disk = self.load();
        if let Some(reason) = &self.blocked {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let mut next = self.bookmarks.clone();
        let result = edit(&mut next)?;
        sort(&mut next);
        self.save(on_disk.as_deref(), &next)?;
        self.bookmarks = next;
        Ok(result)
    }

    /// Reads the file; returns its bytes when it was understood (none: there was no file).
    fn load(&mut self) -> Option<Vec<u8>> {
        self.bookmarks.clear();
        self.blocked = None;
        let mut on_disk = None;
        let path = &self.path;
        let read = read_kept(path, |bytes| {
            parse(bytes, path).and_then(|b| no_duplicates(b, path))
        });
        match read {
            Kept::Read { contents, bytes } => {
                self.bookmarks = contents;
                on_disk = bytes;
            }
            Kept::SetAside { problem, aside } => {
                self.warning = Some(format!(
                    "{problem}\nmwatch moved it to {} and starts with no bookmarks; once it is fixed, `mwatch bookmarks import {}` brings them back",
                    aside.display(),
                    aside.display()
                ))
            }
            Kept::LeftAlone(reason) => {
                self.warning = Some(reason.clone());
                self.blocked = Some(reason);
            }
        }
        sort(&mut self.bookmarks);
        on_disk
    }

    /// Writes `bookmarks`, keeping `on_disk` (the file they replace, if any) as the backup.
    fn save(&self, on_disk: Option<&[u8]>, bookmarks: &[Bookmark]) -> Result<(), StoreError> {
        if let Some(bytes) = on_disk {
            back_up(&self.path, bytes)
                .map_err(|e| io_error("write", &sibling(&self.path, ".bak"), e))?;
        }
        write_atomically(&self.path, to_file_text(bookmarks).as_bytes())
            .map_err(|e| io_error("write", &self.path, e))
    }
}

fn unknown(name: &str, bookmarks: &[Bookmark]) -> StoreError {
    let close = close_names(name, bookmarks.iter().map(|b| b.name.as_str()));
    StoreError::Unknown {
        name: name.to_string(),
        close: close.into_iter().map(str::to_string).collect(),
    }
}

fn sort(bookmarks: &mut [Bookmark]) {
    fn key(b: &Bookmark) -> (bool, Option<(u32, u32)>, &str) {
        let time = b.cluster_time.map(|ts| (ts.time, ts.increment));
        (time.is_none(), time, &b.name)
    }
    bookmarks.sort_by(|a, b| key(a).cmp(&key(b)));
}

fn to_file_text(bookmarks: &[Bookmark]) -> String {
    let file = serde_json::json!({ "version": VERSION, "bookmarks": bookmarks });
    let mut text = serde_json::to_string_pretty(&file).expect("bookmarks serialize to JSON");
    text.push('\n');
    text
}

#[derive(Deserialize)]
struct Header {
    version: u32,
}

#[derive(Deserialize)]
struct StoreFile {
    bookmarks: Vec<Bookmark>,
}

/// Reads a store file, or a JSON array of bookmarks (as `list --json` prints).
fn parse(bytes: &[u8], origin: &Path) -> Result<Vec<Bookmark>, FormatError> {
    let positioned = |e: serde_json::Error| {
        FormatError::Bad(format!(
            "{}:{}:{}: {}",
            origin.display(),
            e.line(),
            e.column(),
            crate::json_position::message(&e)
        ))
    };
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let mut bookmarks: Vec<Bookmark> = if is_array {
        serde_json::from_slice(bytes).map_err(positioned)?
    } else {
        let header: Header = serde_json::from_slice(bytes).map_err(positioned)?;
        if header.version > VERSION {
            return Err(FormatError::Newer {
                found: header.version,
                reads: VERSION,
            });
        }
        serde_json::from_slice::<StoreFile>(bytes)
            .map_err(positioned)?
            .bookmarks
    };
    for bookmark in &mut bookmarks {
        bookmark.cluster_time = bookmark.cluster_time.or(token_time(&bookmark.token));
    }
    Ok(bookmarks)
}

/// The store's names are unique; a hand-edited file may break that.
fn no_duplicates(bookmarks: Vec<Bookmark>, origin: &Path) -> Result<Vec<Bookmark>, FormatError> {
    let mut names = Names::default();
    for bookmark in &bookmarks {
        if !names.insert(&bookmark.name) {
            return Err(FormatError::Bad(format!(
                "{}: two bookmarks are named '{}'",
                origin.display(),
                bookmark.name
            )));
        }
    }
    Ok(bookmarks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::sample;
    use bson::doc;
    use std::fs;

    fn bookmark(name: &str, time: u32) -> Bookmark {
        Bookmark {
            token: doc! { "_data": format!("82{time:08X}000000012B0229296E04") },
            // Read from the token when the file has none.
            cluster_time: None,
            ..sample(name)
        }
    }

    #[test]
    fn a_write_that_fails_before_the_rename_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.json");
        let mut store = BookmarkStore::open(path.clone());
        store.add(bookmark("kept", 1)).unwrap();
        let before = fs::read(&path).unwrap();
        // Something in the way of the temporary file makes the write fail.
        fs::create_dir(sibling(&path, ".tmp")).unwrap();
        fs::write(sibling(&path, ".tmp").join("x"), "x").unwrap();
        let error = store.add(bookmark("lost", 2)).unwrap_err();
        assert!(matches!(error, StoreError::Io(_)), "{error}");
        assert_eq!(fs::read(&path).unwrap(), before);
        let names: Vec<_> = BookmarkStore::open(path)
            .list()
            .iter()
            .map(|b| b.name.clone())
            .collect();
        assert_eq!(names, ["kept"]);
    }

    /// A store file mwatch cannot read now (here a directory in its place, as an I/O error
    /// would) is not corrupt: it is left where it is, reported, and not written over.
    #[test]
    fn a_file_that_cannot_be_read_now_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.json");
        fs::create_dir(&path).unwrap();
        let mut store = BookmarkStore::open(path.clone());
        let warning = store.take_warning().unwrap();
        assert!(warning.contains("left as it is"), "{warning}");
        assert!(path.is_dir(), "not moved aside");
        let error = store.add(bookmark("a", 1)).unwrap_err();
        assert!(matches!(error, StoreError::ReadOnly(_)), "{error}");
    }

    #[test]
    fn an_export_creates_its_file_and_touches_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = BookmarkStore::open(dir.path().join("bookmarks.json"));
        store.add(bookmark("a", 1)).unwrap();
        let out = dir.path().join("out.json");
        let beside = sibling(&out, ".tmp");
        fs::write(&beside, "the user's").unwrap();
        store.export_to(&out).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), store.export());
        assert_eq!(fs::read_to_string(&beside).unwrap(), "the user's");
        let again = store.export_to(&out).unwrap_err();
        assert!(matches!(again, StoreError::BadFile(_)), "{again}");
    }

    #[test]
    fn files_are_positioned_when_broken_and_read_as_arrays_too() {
        let origin = Path::new("b.json");
        let error = parse(
            b"{\"version\": 1,\n \"bookmarks\": [{\"name\": 3}]}",
            origin,
        );
        assert_eq!(
            error.unwrap_err(),
            FormatError::Bad("b.json:2:25: invalid type: integer `3`, expected a string".into())
        );
        let error = parse(b"{\"version\": 2, \"bookmarks\": \"the future\"}", origin);
        let newer = error.unwrap_err();
        assert_eq!(newer, FormatError::Newer { found: 2, reads: 1 });
        assert_eq!(
            newer.to_string(),
            "written by a newer mwatch (format 2; this one reads 1)"
        );
        let text = serde_json::to_string(&[bookmark("a", 7)]).unwrap();
        let read = parse(text.as_bytes(), origin).unwrap();
        assert_eq!(
            read[0].cluster_time.map(|ts| ts.time),
            Some(7),
            "read from the token"
        );
        let twice = no_duplicates(vec![bookmark("a", 1), bookmark("a", 2)], origin);
        assert_eq!(
            twice.unwrap_err(),
            FormatError::Bad("b.json: two bookmarks are named 'a'".into())
        );
    }

    /// Importing N bookmarks of one name looks up each name about twice, not `#2`, `#3`, ...
    /// again for every one.
    #[test]
    fn importing_n_bookmarks_of_one_name_is_linear() {
        const N: u32 = 2_000;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("import.json");
        let incoming: Vec<Bookmark> = (1..=N).map(|n| bookmark("same", n)).collect();
        fs::write(&file, serde_json::to_string(&incoming).unwrap()).unwrap();
        let mut store = BookmarkStore::open(dir.path().join("bookmarks.json"));
        let before = super::super::names::PROBES.with(std::cell::Cell::get);
        let report = store.import(&file).unwrap();
        let probes = super::super::names::PROBES.with(std::cell::Cell::get) - before;
        assert_eq!(report.renamed.last().unwrap().1, format!("same#{N}"));
        assert!(
            probes <= 2 * u64::from(N),
            "{probes} look-ups for {N} bookmarks"
        );
    }
}
