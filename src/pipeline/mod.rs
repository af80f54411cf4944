// TEMP STUB until the parser lands.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}
impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}
pub struct Pipeline {
    pub stages: Vec<bson::Document>,
}
pub fn parse(text: &str) -> Result<Pipeline, ParseError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let b = bson::Bson::try_from(v).map_err(|e| ParseError {
        line: 1,
        column: 1,
        message: e.to_string(),
    })?;
    Ok(Pipeline {
        stages: match b {
            bson::Bson::Array(a) => a
                .into_iter()
                .filter_map(|x| x.as_document().cloned())
                .collect(),
            bson::Bson::Document(d) => vec![d],
            _ => vec![],
        },
    })
}
pub fn parse_value(text: &str) -> Result<bson::Bson, ParseError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    bson::Bson::try_from(v).map_err(|e| ParseError {
        line: 1,
        column: 1,
        message: e.to_string(),
    })
}
