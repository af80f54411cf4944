// TEMP STUB
use bson::Document;
#[derive(Debug, Clone)]
pub struct UpdateDescription;
pub fn describe(_b: &Document, _a: &Document) -> UpdateDescription {
    UpdateDescription
}
impl UpdateDescription {
    pub fn to_document(&self, _e: bool) -> Document {
        Document::new()
    }
}
