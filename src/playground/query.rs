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
pub struct ElementFilter(Bson);
impl ElementFilter {
    pub fn parse(c: &Bson) -> CmdResult<Self> {
        Ok(ElementFilter(c.clone()))
    }
    pub fn matches(&self, v: &Bson) -> bool {
        &self.0 == v
    }
}
