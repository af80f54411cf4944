// TEMP STUB
use super::error::CmdResult;
use bson::Document;
pub struct UpdateContext {
    pub now: bson::DateTime,
    pub now_ts: bson::Timestamp,
    pub is_insert: bool,
}
pub enum Update {
    Replacement(Document),
    Operators(Document),
}
impl Update {
    pub fn parse(s: &Document) -> CmdResult<Update> {
        Ok(Update::Replacement(s.clone()))
    }
    pub fn apply(&self, d: &Document, _c: &UpdateContext) -> CmdResult<Document> {
        Ok(d.clone())
    }
}
pub fn upsert_seed(_f: &Document) -> Document {
    Document::new()
}
