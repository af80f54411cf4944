//! Turns command-line arguments into what the engine needs: a connection string and a watch
//! spec. Every mistake becomes a [`UsageError`] that names the flag and, for pipelines, the
//! line and column.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::cli::WatchArgs;
use crate::pipeline;
use crate::source::{Scope, Start, StreamOptions, WatchSpec};
use bson::{Bson, Document};

pub const DEFAULT_URI: &str = "mongodb://localhost:27017";

/// A bad flag value: reported with exit code 2.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The connection string: the argument, else `$MONGODB_URI`, else localhost (as mongosh).
pub fn uri(args: &WatchArgs, env_uri: Option<String>) -> String {
    args.uri
        .clone()
        .or(env_uri.filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| DEFAULT_URI.to_string())
}

pub fn spec(args: &WatchArgs) -> Result<WatchSpec, UsageError> {
    let scope = Scope::parse(args.ns.as_deref().unwrap_or(""))
        .map_err(|e| UsageError(format!("--ns: {e}")))?;
    let pipeline = match &args.pipeline {
        Some(text) => parse_pipeline(text)?,
        None => Vec::new(),
    };
    let start = match (&args.resume, &args.start_at) {
        (Some(token), _) => Start::ResumeAfter(parse_token(token)?),
        (None, Some(time)) => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            Start::AtTime(
                crate::start_at::parse(time, now)
                    .map_err(|e| UsageError(format!("--start-at: {e}")))?,
            )
        }
        (None, None) => Start::Now,
    };
    let collation = match &args.collation {
        Some(text) => {
            let doc = parse_document("--collation", text)?;
            // Checked now, so a bad collation is a usage error before connecting.
            crate::source::collation(&doc).map_err(|e| UsageError(format!("--collation: {e}")))?;
            Some(doc)
        }
        None => None,
    };
    Ok(WatchSpec {
        scope,
        pipeline,
        options: StreamOptions {
            full_document: args.full_document,
            pre_image: args.pre_image,
            expanded_events: args.expanded_events,
            batch_size: args.batch_size,
            max_await: args.max_await.map(Duration::from_millis),
            collation,
            comment: args.comment.clone(),
        },
        start,
    })
}

/// `--pipeline TEXT` or `--pipeline @FILE`; errors say where (file or flag, line:column).
fn parse_pipeline(value: &str) -> Result<Vec<Document>, UsageError> {
    let (origin, text) = match value.strip_prefix('@') {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("--pipeline: cannot read {path}: {e}")))?;
            (path.to_string(), text)
        }
        None => ("--pipeline".to_string(), value.to_string()),
    };
    pipeline::parse(&text)
        .map(|p| p.stages)
        .map_err(|e| UsageError(format!("{origin}:{e}")))
}

fn parse_document(flag: &str, text: &str) -> Result<Document, UsageError> {
    match pipeline::parse_value(text) {
        Ok(Bson::Document(doc)) => Ok(doc),
        Ok(_) => Err(UsageError(format!(
            "{flag}: expected a document like {{...}}"
        ))),
        Err(e) => Err(UsageError(format!("{flag}:{e}"))),
    }
}

/// A resume token as JSON (`{"_data": "82..."}`); a bare hex string is accepted too.
fn parse_token(text: &str) -> Result<Document, UsageError> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(bson::doc! { "_data": trimmed.to_uppercase() });
    }
    let token = parse_document("--resume", text)?;
    if !token.contains_key("_data") {
        return Err(UsageError(
            "--resume: a resume token looks like {\"_data\": \"82...\"}".to_string(),
        ));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(line: &[&str]) -> WatchArgs {
        let mut argv = vec!["mwatch"];
        argv.extend(line);
        crate::cli::Cli::try_parse_from(argv).unwrap().watch
    }

    #[test]
    fn builds_a_spec_from_flags() {
        let spec = spec(&args(&[
            "--ns",
            "shop.orders",
            "--pipeline",
            "{$match: {operationType: 'insert'}}",
            "--full-document",
            "updateLookup",
            "--start-at",
            "100:2",
            "--max-await",
            "250",
        ]))
        .unwrap();
        assert_eq!(
            spec.scope,
            Scope::Collection {
                db: "shop".into(),
                coll: "orders".into()
            }
        );
        assert_eq!(
            spec.pipeline,
            vec![bson::doc! { "$match": { "operationType": "insert" } }]
        );
        assert_eq!(
            spec.options.full_document,
            Some(crate::source::FullDocument::UpdateLookup)
        );
        assert_eq!(spec.options.max_await, Some(Duration::from_millis(250)));
        assert_eq!(
            spec.start,
            Start::AtTime(bson::Timestamp {
                time: 100,
                increment: 2
            })
        );
    }

    #[test]
    fn errors_name_the_flag_and_position() {
        let error = spec(&args(&["--pipeline", "[{$match: {a: 1}},\n {$group: {}}]"])).unwrap_err();
        assert!(error.0.starts_with("--pipeline:2:"), "{error}");
        let error = spec(&args(&["--ns", "a b"])).unwrap_err();
        assert!(error.0.starts_with("--ns: "), "{error}");
        let error = spec(&args(&["--resume", "{nope: 1}"])).unwrap_err();
        assert!(error.0.starts_with("--resume: "), "{error}");
        let error = spec(&args(&["--pipeline", "@/nonexistent/p.json"])).unwrap_err();
        assert!(
            error.0.contains("cannot read /nonexistent/p.json"),
            "{error}"
        );
    }

    #[test]
    fn the_uri_comes_from_the_argument_then_the_environment() {
        assert_eq!(
            uri(&args(&["mongodb://a"]), Some("mongodb://b".into())),
            "mongodb://a"
        );
        assert_eq!(uri(&args(&[]), Some("mongodb://b".into())), "mongodb://b");
        assert_eq!(uri(&args(&[]), None), DEFAULT_URI);
    }
}
