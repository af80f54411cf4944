// TEMP STUB
use super::error::CmdResult;
use bson::Document;
pub struct Projection;
impl Projection {
    pub fn parse(_s: &Document, _a: bool) -> CmdResult<Projection> {
        Ok(Projection)
    }
    pub fn apply(&self, d: &Document) -> CmdResult<Document> {
        Ok(d.clone())
    }
}
