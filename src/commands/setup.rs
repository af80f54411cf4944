//! Turns command-line arguments into what the engine needs: a connection string and a watch
//! spec, from the flags and the bookmark `--resume NAME` names (found by [`super::resume`]). Every mistake becomes a
//! [`UsageError`] that names the flag and, for pipelines, the line and column.

use std::path::Path;
use std::time::Duration;

use super::UsageError;
use crate::bookmarks::Bookmark;
use crate::cli::WatchArgs;
use crate::files::read_bounded;
use crate::pipeline;
use crate::redact::{has_hidden_secret, without_hidden_password};
use crate::source::recording::Recorder;
use crate::source::{Scope, Start, StreamOptions, WatchSpec};
use bson::{Bson, DateTime, Document};

pub const DEFAULT_URI: &str = "mongodb://localhost:27017";

/// The connection string: the argument; else, replaying a bookmark, its deployment (unless
/// a secret was hidden when it was saved; with `-p` or `-u`, its hidden password is asked
/// for); else `$MONGODB_URI`; else localhost (as mongosh).
pub fn uri(
    args: &WatchArgs,
    env_uri: Option<String>,
    bookmark: Option<&Bookmark>,
) -> Result<String, UsageError> {
    if let Some(uri) = &args.uri {
        return Ok(uri.clone());
    }
    let env_uri = env_uri.filter(|u| !u.trim().is_empty());
    let prompted = args.password_prompt || args.username.is_some();
    match bookmark.map(|b| b.deployment.as_str()) {
        Some(saved) if !saved.is_empty() && !has_hidden_secret(saved) => Ok(saved.to_string()),
        Some(saved) if prompted && !has_hidden_secret(&without_hidden_password(saved)) => {
            Ok(without_hidden_password(saved))
        }
        Some(saved) if env_uri.is_none() && has_hidden_secret(saved) => Err(UsageError(format!(
            "--resume: the bookmark was made on {saved}; give that connection string, with its secrets, as the first argument or in $MONGODB_URI{}",
            if has_hidden_secret(&without_hidden_password(saved)) { "" } else { ", or type its password at a prompt with -p" }
        ))),
        _ => Ok(env_uri.unwrap_or_else(|| DEFAULT_URI.to_string())),
    }
}

/// The watch the flags ask for, and its pipeline as the editor shows it. Replaying a
/// bookmark, the flags given override its scope, pipeline and options, and `--start-at` where
/// it starts.
pub fn spec(
    args: &WatchArgs,
    bookmark: Option<&Bookmark>,
) -> Result<(WatchSpec, String), UsageError> {
    let scope = match (&args.ns, bookmark) {
        (None, Some(b)) => b.scope.clone(),
        (ns, _) => Scope::parse(ns.as_deref().unwrap_or(""))
            .map_err(|e| UsageError(format!("--ns: {e}")))?,
    };
    let (pipeline, pipeline_text) = pipeline(args, bookmark)?;
    let start = match (&args.resume, &args.start_at, bookmark) {
        (Some(_), Some(_), None) => return Err(UsageError(
            "--start-at: cannot be combined with --resume TOKEN (it can with a bookmark's name)"
                .to_string(),
        )),
        (_, Some(time), _) => Start::AtTime(
            crate::start_at::parse(time, DateTime::now().timestamp_millis())
                .map_err(|e| UsageError(format!("--start-at: {e}")))?,
        ),
        (_, None, Some(b)) => b.start(),
        (Some(token), None, None) => Start::ResumeAfter(parse_token(token)?),
        (None, None, None) => Start::Now,
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
    let saved = bookmark.map(|b| b.options.clone()).unwrap_or_default();
    let spec = WatchSpec {
        scope,
        pipeline,
        options: StreamOptions {
            full_document: args.full_document.or(saved.full_document),
            pre_image: args.pre_image.or(saved.pre_image),
            expanded_events: args.expanded_events || saved.expanded_events,
            batch_size: args.batch_size.or(saved.batch_size),
            max_await: args
                .max_await
                .map(Duration::from_millis)
                .or(saved.max_await),
            collation: collation.or(saved.collation),
            comment: args.comment.clone().or(saved.comment),
        },
        start,
    };
    Ok((spec, pipeline_text))
}

/// The text of `--pipeline TEXT` or `--pipeline @FILE`, and where it came from.
fn pipeline_source(value: &str) -> Result<(String, String), UsageError> {
    match value.strip_prefix('@') {
        Some(path) => {
            let bytes = read_bounded(Path::new(path))
                .map_err(|e| UsageError(format!("--pipeline: cannot read {path}: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = valid
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |at| at + 1);
                let column = String::from_utf8_lossy(&valid[line_start..])
                    .chars()
                    .count()
                    + 1;
                UsageError(format!("{path}:{line}:{column}: not UTF-8"))
            })?;
            Ok((path.to_string(), text))
        }
        None => Ok(("--pipeline".to_string(), value.to_string())),
    }
}

/// The `--record FILE` recorder, opened before connecting: a path that cannot be written is
/// a usage error.
pub fn recorder(args: &WatchArgs) -> Result<Option<Recorder>, UsageError> {
    let Some(path) = &args.record else {
        return Ok(None);
    };
    Recorder::open(path)
        .map(Some)
        .map_err(|e| UsageError(format!("--record: cannot open {}: {e}", path.display())))
}

/// The stages, and their text for the editor: `--pipeline TEXT` or `--pipeline @FILE` as
/// written (read once; errors say where: file or flag, line:column), else a bookmark's.
fn pipeline(
    args: &WatchArgs,
    bookmark: Option<&Bookmark>,
) -> Result<(Vec<Document>, String), UsageError> {
    match (&args.pipeline, bookmark) {
        (Some(value), _) => {
            let (origin, text) = pipeline_source(value)?;
            let stages = pipeline::parse(&text)
                .map_err(|e| UsageError(format!("{origin}:{e}")))?
                .stages;
            Ok((stages, text))
        }
        (None, Some(b)) => Ok((b.pipeline.clone(), b.pipeline_text())),
        (None, None) => Ok((Vec::new(), String::new())),
    }
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
    use crate::redact::RedactedUri;
    use crate::source::FullDocument;
    use bson::doc;
    use clap::Parser;

    fn args(line: &[&str]) -> WatchArgs {
        let mut argv = vec!["mwatch"];
        argv.extend(line);
        crate::cli::Cli::try_parse_from(argv).unwrap().watch
    }

    fn bookmark(invalidate: bool) -> Bookmark {
        Bookmark {
            invalidate,
            scope: Scope::Database("shop".into()),
            pipeline: vec![doc! { "$match": { "n": 1 } }],
            options: StreamOptions {
                full_document: Some(FullDocument::UpdateLookup),
                comment: Some("saved".into()),
                ..StreamOptions::default()
            },
            deployment: RedactedUri::new("mongodb://saved:1/"),
            ..crate::bookmarks::sample("b")
        }
    }

    #[test]
    fn builds_a_spec_from_flags() {
        let (spec, text) = spec(
            &args(&[
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
            ]),
            None,
        )
        .unwrap();
        assert_eq!(text, "{$match: {operationType: 'insert'}}", "as typed");
        assert_eq!(
            spec.scope,
            Scope::Collection {
                db: "shop".into(),
                coll: "orders".into()
            }
        );
        assert_eq!(
            spec.pipeline,
            vec![doc! { "$match": { "operationType": "insert" } }]
        );
        assert_eq!(spec.options.full_document, Some(FullDocument::UpdateLookup));
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
    fn a_bookmark_gives_what_the_flags_do_not() {
        let saved = bookmark(false);
        let (replay, text) = spec(&args(&["--resume", "b"]), Some(&saved)).unwrap();
        assert_eq!(text, pipeline::to_text(&saved.pipeline));
        let written = Bookmark {
            pipeline_text: Some(format!(
                "// as typed\n{}",
                pipeline::to_text(&saved.pipeline)
            )),
            ..saved.clone()
        };
        let (_, text) = spec(&args(&["--resume", "b"]), Some(&written)).unwrap();
        assert_eq!(
            Some(text),
            written.pipeline_text,
            "the text as the user wrote it"
        );
        assert_eq!(replay.scope, saved.scope);
        assert_eq!(replay.pipeline, saved.pipeline);
        assert_eq!(replay.options, saved.options);
        assert_eq!(replay.start, Start::ResumeAfter(saved.token.clone()));
        let invalidated = bookmark(true);
        let (replay, _) = spec(&args(&["--resume", "b"]), Some(&invalidated)).unwrap();
        assert_eq!(replay.start, Start::StartAfter(invalidated.token.clone()));

        let (overridden, _) = spec(
            &args(&[
                "--resume",
                "b",
                "--ns",
                "other.c",
                "--pipeline",
                "[]",
                "--full-document",
                "required",
                "--start-at",
                "5:1",
            ]),
            Some(&saved),
        )
        .unwrap();
        assert_eq!(overridden.scope, Scope::parse("other.c").unwrap());
        assert!(overridden.pipeline.is_empty());
        assert_eq!(
            overridden.options.full_document,
            Some(FullDocument::Required)
        );
        assert_eq!(overridden.options.comment.as_deref(), Some("saved"));
        assert_eq!(
            overridden.start,
            Start::AtTime(bson::Timestamp {
                time: 5,
                increment: 1
            })
        );
    }

    #[test]
    fn errors_name_the_flag_and_position() {
        let spec = |line: &[&str]| spec(&args(line), None).unwrap_err().0;
        let error = spec(&["--pipeline", "[{$match: {a: 1}},\n {$group: {}}]"]);
        assert!(error.starts_with("--pipeline:2:"), "{error}");
        let error = spec(&["--ns", "a b"]);
        assert!(error.starts_with("--ns: "), "{error}");
        let error = spec(&["--resume", "{nope: 1}"]);
        assert!(error.starts_with("--resume: "), "{error}");
        let error = spec(&["--pipeline", "@/nonexistent/p.json"]);
        assert!(error.contains("cannot read /nonexistent/p.json"), "{error}");
        let error = spec(&["--resume", "{_data: '82'}", "--start-at", "-5m"]);
        assert!(
            error.starts_with("--start-at: cannot be combined"),
            "{error}"
        );
    }

    #[test]
    fn the_uri_comes_from_the_argument_the_bookmark_then_the_environment() {
        let env = || Some("mongodb://env".to_string());
        let uri = |line: &[&str], env, bookmark| uri(&args(line), env, bookmark).map_err(|e| e.0);
        assert_eq!(uri(&["mongodb://a"], env(), None), Ok("mongodb://a".into()));
        assert_eq!(uri(&[], env(), None), Ok("mongodb://env".into()));
        assert_eq!(uri(&[], None, None), Ok(DEFAULT_URI.into()));
        let saved = bookmark(false);
        assert_eq!(
            uri(&[], env(), Some(&saved)),
            Ok("mongodb://saved:1/".into())
        );
        assert_eq!(
            uri(&["mongodb://a"], env(), Some(&saved)),
            Ok("mongodb://a".into())
        );
        let hidden = Bookmark {
            deployment: RedactedUri::new("mongodb://ann:****@db:1/"),
            ..bookmark(false)
        };
        assert_eq!(uri(&[], env(), Some(&hidden)), Ok("mongodb://env".into()));
        let error = uri(&[], None, Some(&hidden)).unwrap_err();
        assert!(
            error.contains("made on mongodb://ann:****@db:1/") && error.contains("with -p"),
            "{error}"
        );
        for asks in [&["-p"][..], &["-u", "bob"]] {
            let mut line = vec!["--resume", "b"];
            line.extend(asks);
            assert_eq!(
                uri(&line, env(), Some(&hidden)),
                Ok("mongodb://ann@db:1/".into()),
                "{asks:?}: the bookmark's deployment, its password asked for"
            );
        }
        let secret_option = Bookmark {
            deployment: RedactedUri::new("mongodb://ann:pw@db:1/?proxyPassword=x"),
            ..bookmark(false)
        };
        let error = uri(&["--resume", "b", "-p"], None, Some(&secret_option)).unwrap_err();
        assert!(
            !error.contains("-p"),
            "-p cannot give a proxy password: {error}"
        );
    }
}
