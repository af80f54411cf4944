// TEMP STUB
use super::error::CmdResult;
use bson::{Bson, Document};
#[derive(Debug)]
pub struct Pipeline;
impl Pipeline {
    pub fn parse(_s: &[Bson]) -> CmdResult<Pipeline> {
        Ok(Pipeline)
    }
    pub fn apply(&self, d: Document) -> CmdResult<Option<Document>> {
        Ok(Some(d))
    }
}
