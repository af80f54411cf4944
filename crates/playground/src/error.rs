//! Errors as MongoDB reports them: `{ok: 0, errmsg, code, codeName, errorLabels}`.

use bson::{doc, Document};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code_name} ({code}): {message}")]
pub struct CommandError {
    pub code: i32,
    pub code_name: &'static str,
    pub message: String,
    pub labels: Vec<&'static str>,
}

/// An error whose numeric code has no name in MongoDB, so its codeName is `Location<code>`.
/// (A crate path, so that modules at any depth can use it.)
macro_rules! location_error {
    ($code:literal, $message:expr) => {
        $crate::error::CommandError::new($code, concat!("Location", $code), $message)
    };
}
pub(crate) use location_error;

pub type CmdResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(code: i32, code_name: &'static str, message: impl Into<String>) -> Self {
        CommandError {
            code,
            code_name,
            message: message.into(),
            labels: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: &'static str) -> Self {
        if !self.labels.contains(&label) {
            self.labels.push(label);
        }
        self
    }

    pub fn bad_value(message: impl Into<String>) -> Self {
        Self::new(2, "BadValue", message)
    }

    pub fn failed_to_parse(message: impl Into<String>) -> Self {
        Self::new(9, "FailedToParse", message)
    }

    pub fn type_mismatch(message: impl Into<String>) -> Self {
        Self::new(14, "TypeMismatch", message)
    }

    pub fn invalid_options(message: impl Into<String>) -> Self {
        Self::new(72, "InvalidOptions", message)
    }

    pub fn namespace_not_found(message: impl Into<String>) -> Self {
        Self::new(26, "NamespaceNotFound", message)
    }

    /// The reply body; the server adds `operationTime` and `$clusterTime`.
    pub fn to_document(&self) -> Document {
        let mut reply = doc! {
            "ok": 0.0,
            "errmsg": self.message.clone(),
            "code": self.code,
            "codeName": self.code_name,
        };
        if !self.labels.is_empty() {
            reply.insert("errorLabels", self.labels.clone());
        }
        reply
    }
}
