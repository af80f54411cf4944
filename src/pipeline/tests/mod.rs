//! Tests of the pipeline parser, by theme.

mod ejson;
mod errors;
mod fuzz;
mod mongosh;
mod properties;
mod stages;
mod values;

use bson::{Bson, Document};

use super::{parse, parse_value};

/// The stages of a pipeline that must parse.
fn stages(text: &str) -> Vec<Document> {
    match parse(text) {
        Ok(pipeline) => pipeline.stages,
        Err(e) => panic!("{text:?} failed: {e}"),
    }
}

/// A value that must parse.
fn value(text: &str) -> Bson {
    match parse_value(text) {
        Ok(value) => value,
        Err(e) => panic!("{text:?} failed: {e}"),
    }
}

/// The error of a pipeline that must fail, as "line:column: message".
fn error(text: &str) -> String {
    match parse(text) {
        Ok(pipeline) => panic!("{text:?} parsed: {:?}", pipeline.stages),
        Err(e) => e.to_string(),
    }
}

/// The error of a value that must fail, as "line:column: message".
fn value_error(text: &str) -> String {
    match parse_value(text) {
        Ok(value) => panic!("{text:?} parsed: {value:?}"),
        Err(e) => e.to_string(),
    }
}
