// TEMP STUB
use super::error::CmdResult;
use bson::{Bson, Document};
pub struct Filter;
impl Filter {
    pub fn parse(_f: &Document) -> CmdResult<Filter> {
        Ok(Filter)
    }
    pub fn matches(&self, _d: &Document) -> bool {
        true
    }
}
