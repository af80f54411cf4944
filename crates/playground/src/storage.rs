//! In-memory databases and collections. Documents keep insertion order (natural order) and are
//! indexed by `_id`.

use std::collections::BTreeMap;

use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};
use indexmap::IndexMap;

use crate::values::{bson_size, to_i64};

/// A `db.coll` name; `coll` is `None` for a whole database (dropDatabase).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Namespace {
    pub db: String,
    pub coll: Option<String>,
}

impl Namespace {
    pub fn collection(db: &str, coll: &str) -> Self {
        Namespace {
            db: db.to_string(),
            coll: Some(coll.to_string()),
        }
    }

    pub fn database(db: &str) -> Self {
        Namespace {
            db: db.to_string(),
            coll: None,
        }
    }

    /// `{db, coll}` as change events show it.
    pub fn to_document(&self) -> Document {
        let mut d = doc! { "db": &self.db };
        if let Some(coll) = &self.coll {
            d.insert("coll", coll);
        }
        d
    }
}

impl std::fmt::Display for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.coll {
            Some(coll) => write!(f, "{}.{}", self.db, coll),
            None => f.write_str(&self.db),
        }
    }
}

/// `_id` values that MongoDB considers equal (1, 1.0, NumberLong(1)) map to the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdKey(Vec<u8>);

impl IdKey {
    pub fn of(id: &Bson) -> IdKey {
        let normalized = match id {
            Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => match to_i64(id) {
                Some(n) => Bson::Int64(n),
                None => id.clone(),
            },
            other => other.clone(),
        };
        let mut bytes = Vec::new();
        let _ = doc! { "": normalized }.to_writer(&mut bytes);
        IdKey(bytes)
    }
}

#[derive(Debug, Clone)]
pub struct Collection {
    pub uuid: Binary,
    /// The options given to `create` (and `collMod`), as listCollections shows them.
    pub options: Document,
    pub indexes: Vec<Document>,
    pub docs: IndexMap<IdKey, Document>,
}

impl Collection {
    pub fn new(options: Document) -> Self {
        Collection {
            uuid: new_uuid(),
            options,
            indexes: vec![doc! { "v": 2, "key": { "_id": 1 }, "name": "_id_" }],
            docs: IndexMap::new(),
        }
    }

    pub fn is_view(&self) -> bool {
        self.options.contains_key("viewOn")
    }

    /// Whether `changeStreamPreAndPostImages: {enabled: true}` is set.
    pub fn images_enabled(&self) -> bool {
        self.options
            .get_document("changeStreamPreAndPostImages")
            .ok()
            .and_then(|o| o.get_bool("enabled").ok())
            .unwrap_or(false)
    }

    pub fn get(&self, id: &Bson) -> Option<&Document> {
        self.docs.get(&IdKey::of(id))
    }

    pub fn size_bytes(&self) -> u64 {
        self.docs.values().map(|d| bson_size(d) as u64).sum()
    }
}

/// A random version-4 UUID, as MongoDB gives each collection.
fn new_uuid() -> Binary {
    let mut bytes = bson::oid::ObjectId::new().bytes().to_vec();
    bytes.extend_from_slice(&rand_u32().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Binary {
        subtype: BinarySubtype::Uuid,
        bytes,
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish() as u32
}

#[derive(Debug, Default)]
pub struct Storage {
    pub dbs: BTreeMap<String, BTreeMap<String, Collection>>,
}

impl Storage {
    pub fn collection(&self, db: &str, coll: &str) -> Option<&Collection> {
        self.dbs.get(db)?.get(coll)
    }

    pub fn collection_mut(&mut self, db: &str, coll: &str) -> Option<&mut Collection> {
        self.dbs.get_mut(db)?.get_mut(coll)
    }

    pub fn insert_collection(&mut self, db: &str, coll: &str, collection: Collection) {
        self.dbs
            .entry(db.to_string())
            .or_default()
            .insert(coll.to_string(), collection);
    }

    pub fn remove_collection(&mut self, db: &str, coll: &str) -> Option<Collection> {
        let colls = self.dbs.get_mut(db)?;
        let removed = colls.remove(coll);
        if colls.is_empty() {
            self.dbs.remove(db);
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_numbers_share_an_id_key() {
        assert_eq!(IdKey::of(&Bson::Int32(1)), IdKey::of(&Bson::Double(1.0)));
        assert_eq!(IdKey::of(&Bson::Int64(1)), IdKey::of(&Bson::Int32(1)));
        assert_ne!(
            IdKey::of(&Bson::Int32(1)),
            IdKey::of(&Bson::String("1".into()))
        );
        assert_ne!(IdKey::of(&Bson::Double(1.5)), IdKey::of(&Bson::Int32(1)));
    }

    #[test]
    fn uuids_are_version_four_and_distinct() {
        let (a, b) = (new_uuid(), new_uuid());
        assert_eq!(a.bytes.len(), 16);
        assert_eq!(a.bytes[6] >> 4, 4);
        assert_ne!(a.bytes, b.bytes);
    }
}
