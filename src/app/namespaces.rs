//! The namespace picker: deployment > databases > collections, narrowed by a typed filter.
//! When listing is not allowed, the filter text itself can be watched as a namespace.

use crate::event::{ChangeEvent, OpType};
use crate::source::connect::{CollectionInfo, DatabaseInfo, Listing};
use crate::source::Scope;

use super::input::LineInput;
use super::unlisted::Unlisted;

#[derive(Debug, Clone, PartialEq)]
pub enum Known {
    Loading,
    Listed(Vec<DatabaseInfo>),
    /// Listing was refused (or failed); the reason is shown and namespaces can be typed.
    Unavailable(String),
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum NsRow<'a> {
    Deployment,
    Database(&'a str),
    Collection {
        db: &'a str,
        info: &'a CollectionInfo,
    },
}

impl NsRow<'_> {
    /// Whether the row's own name (`db`, `db.collection`) holds `needle` (lowercase); the
    /// deployment row shows only with no filter, so it always does.
    fn matches(&self, needle: &str) -> bool {
        match self {
            NsRow::Deployment => true,
            NsRow::Database(db) => db.to_lowercase().contains(needle),
            NsRow::Collection { db, info } => format!("{db}.{}", info.name)
                .to_lowercase()
                .contains(needle),
        }
    }

    pub fn scope(&self) -> Scope {
        match self {
            NsRow::Deployment => Scope::Deployment,
            NsRow::Database(db) => Scope::Database(db.to_string()),
            NsRow::Collection { db, info } => Scope::Collection {
                db: db.to_string(),
                coll: info.name.clone(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespaces {
    pub known: Known,
    pub filter: LineInput,
    /// Index into `rows()`.
    pub selected: usize,
    /// A listing is on its way.
    pub loading: bool,
    /// Events showed a namespace change (a new or dropped collection): list again soon.
    pub stale: bool,
    /// Namespaces seen in events but not listed: each asks for a new listing once only.
    unlisted: Unlisted,
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces {
            known: Known::Loading,
            filter: LineInput::default(),
            selected: 0,
            loading: true,
            stale: false,
            unlisted: Unlisted::default(),
        }
    }
}

impl Namespaces {
    /// The visible rows: everything, or what matches the filter (case-insensitive, on
    /// `db.collection`), with the databases of matching collections kept as their parents.
    pub fn rows(&self) -> Vec<NsRow<'_>> {
        let needle = self.filter.text().to_lowercase();
        let mut rows = Vec::new();
        if needle.is_empty() {
            rows.push(NsRow::Deployment);
        }
        let Known::Listed(databases) = &self.known else {
            return rows;
        };
        for db in databases {
            let database = NsRow::Database(&db.name);
            let db_matches = database.matches(&needle);
            let collections: Vec<NsRow> = db
                .collections
                .iter()
                .map(|info| NsRow::Collection { db: &db.name, info })
                .filter(|row| db_matches || row.matches(&needle))
                .collect();
            if db_matches || !collections.is_empty() {
                rows.push(database);
                rows.extend(collections);
            }
        }
        rows
    }

    /// What Enter watches: the selected row, else the filter text as a namespace.
    pub fn chosen(&self) -> Option<Result<Scope, String>> {
        match self.rows().get(self.selected) {
            Some(row) => Some(Ok(row.scope())),
            None if !self.filter.is_empty() => Some(Scope::parse(self.filter.text())),
            None => None,
        }
    }

    pub fn listed(&mut self, result: Result<Listing, String>) {
        self.loading = false;
        self.known = match result {
            Ok(Listing::Listed(databases)) => Known::Listed(databases),
            Ok(Listing::NotAllowed(reason)) => Known::Unavailable(reason),
            Err(e) => Known::Unavailable(format!("cannot list namespaces: {e}; type one instead")),
        };
        self.clamp();
    }

    /// After the filter changed: selects the first row that matches by its own name, not
    /// one shown only as the parent of a match (typing `ord` picks `shop.orders`, not `shop`).
    pub fn select_best(&mut self) {
        let needle = self.filter.text().to_lowercase();
        self.selected = self
            .rows()
            .iter()
            .position(|row| row.matches(&needle))
            .unwrap_or(0);
    }

    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.rows().len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Notes what an event says about the namespaces: DDL changes them; an unlisted
    /// namespace may be new.
    pub fn saw(&mut self, event: &ChangeEvent) {
        let ddl = matches!(
            event.op(),
            OpType::Create | OpType::Drop | OpType::Rename | OpType::DropDatabase
        );
        // Only a namespace neither the listing nor `unlisted` knows is kept (and allocates).
        let new = event
            .ns()
            .is_some_and(|(db, coll)| !self.knows_in(db, coll) && self.unlisted.note(db, coll));
        self.stale |= ddl || new;
    }

    /// Whether `ns` (`db` or `db.coll`) is in the listing; unknown listings know nothing.
    pub fn knows(&self, ns: &str) -> bool {
        match ns.split_once('.') {
            Some((db, coll)) => self.knows_in(db, Some(coll)),
            None => self.knows_in(ns, None),
        }
    }

    /// Whether database `db` (and collection `coll` in it) is in the listing.
    fn knows_in(&self, db: &str, coll: Option<&str>) -> bool {
        let Known::Listed(databases) = &self.known else {
            return true;
        };
        databases.iter().any(|d| {
            d.name == db && coll.is_none_or(|c| d.collections.iter().any(|info| info.name == c))
        })
    }

    /// Whether `scope` has pre- and post-images enabled (only collections can).
    pub fn images(&self, scope: &Scope) -> bool {
        let (Known::Listed(databases), Scope::Collection { db, coll }) = (&self.known, scope)
        else {
            return false;
        };
        databases
            .iter()
            .filter(|d| &d.name == db)
            .flat_map(|d| &d.collections)
            .any(|c| &c.name == coll && c.images)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coll(name: &str, images: bool) -> CollectionInfo {
        CollectionInfo {
            name: name.into(),
            view: false,
            images,
        }
    }

    fn picker() -> Namespaces {
        let mut ns = Namespaces::default();
        ns.listed(Ok(Listing::Listed(vec![
            DatabaseInfo {
                name: "shop".into(),
                collections: vec![coll("customers", false), coll("orders", true)],
            },
            DatabaseInfo {
                name: "crm".into(),
                collections: vec![coll("orders_archive", false)],
            },
        ])));
        ns
    }

    #[test]
    fn filters_on_the_full_name_and_keeps_parents() {
        let mut ns = picker();
        assert_eq!(ns.rows().len(), 6);
        ns.filter = LineInput::new("ORD");
        let scopes: Vec<String> = ns.rows().iter().map(|r| r.scope().to_string()).collect();
        assert_eq!(scopes, ["shop", "shop.orders", "crm", "crm.orders_archive"]);
        ns.select_best();
        assert_eq!(ns.selected, 1, "the match, not its database");
        ns.filter = LineInput::new("shop.ord");
        ns.select_best();
        assert_eq!(ns.chosen(), Some(Ok(Scope::parse("shop.orders").unwrap())));
        ns.filter = LineInput::new("crm");
        assert_eq!(
            ns.rows().len(),
            2,
            "a matching database brings all its collections"
        );
    }

    #[test]
    fn typed_text_is_a_namespace_when_nothing_matches() {
        let mut ns = picker();
        ns.filter = LineInput::new("billing.invoices");
        ns.clamp();
        assert_eq!(
            ns.chosen(),
            Some(Ok(Scope::Collection {
                db: "billing".into(),
                coll: "invoices".into()
            }))
        );
        ns.filter = LineInput::new("bad name");
        assert!(matches!(ns.chosen(), Some(Err(_))));
    }

    #[test]
    fn ddl_and_new_namespaces_ask_for_a_listing_but_each_unlisted_one_once() {
        let event = |op: &str, coll: &str| {
            ChangeEvent::from_document(
                &bson::doc! { "operationType": op, "ns": { "db": "shop", "coll": coll } },
            )
            .unwrap()
        };
        let mut ns = picker();
        ns.saw(&event("insert", "orders"));
        assert!(!ns.stale);
        ns.saw(&event("insert", "scratch"));
        assert!(ns.stale);
        ns.stale = false;
        ns.saw(&event("insert", "scratch"));
        assert!(!ns.stale, "asked once already");
        ns.saw(&event("drop", "orders"));
        assert!(ns.stale);
    }

    fn event_in(ns: bson::Document) -> ChangeEvent {
        ChangeEvent::from_document(&bson::doc! { "operationType": "insert", "ns": ns }).unwrap()
    }

    #[test]
    fn an_unlisted_namespace_is_one_whatever_its_ns_document_looks_like() {
        let mut ns = picker();
        ns.saw(&event_in(bson::doc! { "db": "shop", "coll": "scratch" }));
        assert!(ns.stale);
        ns.stale = false;
        ns.saw(&event_in(bson::doc! { "coll": "scratch", "db": "shop" }));
        assert!(!ns.stale, "another field order, the same namespace");
        for at in 0..100 {
            ns.saw(&event_in(
                bson::doc! { "db": "shop", "coll": "scratch", "at": at },
            ));
            assert!(
                !ns.stale,
                "a field that changes with each event, the same namespace"
            );
        }
    }

    #[test]
    fn unlisted_namespaces_are_kept_up_to_a_bound() {
        let mut ns = picker();
        let mut asked = 0;
        for n in 0..30_000 {
            ns.saw(&event_in(
                bson::doc! { "db": "shop", "coll": format!("c{n}") },
            ));
            asked += usize::from(ns.stale);
            ns.stale = false;
        }
        assert_eq!(asked, 10_000, "each new one asks, until the bound");
        ns.saw(&event_in(bson::doc! { "db": "shop", "coll": "c0" }));
        assert!(!ns.stale, "one kept is still known");
    }

    #[test]
    fn knows_listed_namespaces_and_images() {
        let ns = picker();
        assert!(ns.knows("shop") && ns.knows("shop.orders") && !ns.knows("shop.scratch"));
        let orders = Scope::parse("shop.orders").unwrap();
        assert!(ns.images(&orders));
        assert!(!ns.images(&Scope::parse("shop.customers").unwrap()));
        assert!(
            Namespaces::default().knows("anything"),
            "nothing listed, nothing stale"
        );
    }
}
