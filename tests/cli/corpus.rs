//! The hostile-input corpus (`tests/corpus/`, format in its README): every case runs the real
//! binary, offline, and must end with its exit code and messages, never with a panic.

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::cli::{finish, mwatch};

/// Cases run at once: most end in milliseconds, the few that try a connection in 5 s.
const AT_ONCE: usize = 8;

#[derive(Debug, Default)]
struct Case {
    args: Vec<String>,
    exit: Option<i32>,
    stderr: Vec<String>,
    stdout: Vec<String>,
    absent: Vec<String>,
    /// Runs only on Unix (`/dev/zero`, the system's error texts).
    unix_only: bool,
    input: Option<Vec<u8>>,
}

fn parse(path: &Path) -> Result<Case, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let marker = b"--- input\n";
    let (head, input) = match bytes.windows(marker.len()).position(|w| w == marker) {
        Some(at) => (&bytes[..at], Some(bytes[at + marker.len()..].to_vec())),
        None => (&bytes[..], None),
    };
    let head = std::str::from_utf8(head).map_err(|e| format!("the header: {e}"))?;
    let mut case = Case {
        input,
        ..Case::default()
    };
    for line in head.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (field, value) = line
            .split_once(':')
            .ok_or_else(|| format!("not 'field: value': {line:?}"))?;
        let value = value.strip_prefix(' ').unwrap_or(value).to_string();
        match field {
            "arg" => case.args.push(value),
            "exit" => case.exit = Some(value.parse().map_err(|_| format!("exit: {value:?}"))?),
            "stderr" => case.stderr.push(value),
            "stdout" => case.stdout.push(value),
            "absent" => case.absent.push(value),
            "platform" if value == "unix" => case.unix_only = true,
            _ => return Err(format!("unknown field {field:?}")),
        }
    }
    if case.exit.is_none() {
        return Err("no 'exit:' line".to_string());
    }
    Ok(case)
}

/// Runs one case in a home of its own; what is wrong with the outcome, if anything.
async fn check(path: &Path) -> Result<(), String> {
    let case = parse(path)?;
    if case.unix_only && !cfg!(unix) {
        return Ok(());
    }
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("input");
    if let Some(bytes) = &case.input {
        std::fs::write(&input, bytes).unwrap();
    }
    let fill = |text: &str| {
        text.replace("{input}", input.to_str().unwrap())
            .replace("{home}", home.path().to_str().unwrap())
    };
    let args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = mwatch(&args);
    command.env("MWATCH_HOME", home.path());
    let (code, stdout, stderr) = finish(command.spawn().unwrap()).await;
    let mut wrong = Vec::new();
    if Some(code) != case.exit {
        wrong.push(format!("exit code {code}, not {}", case.exit.unwrap()));
    }
    for (stream, text, fragments) in [
        ("stderr", &stderr, &case.stderr),
        ("stdout", &stdout, &case.stdout),
    ] {
        for fragment in fragments {
            if !text.contains(&fill(fragment)) {
                wrong.push(format!("no {fragment:?} in {stream}"));
            }
        }
    }
    for secret in &case.absent {
        if stdout.contains(secret) || stderr.contains(secret) {
            wrong.push(format!("{secret:?} is shown"));
        }
    }
    if stdout.contains("panicked") || stderr.contains("panicked") {
        wrong.push("panicked".to_string());
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(format!("{}\n  stderr: {stderr:?}", wrong.join("; ")))
}

fn cases(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            cases(&path, found);
        } else if path.extension().is_some_and(|e| e == "case") {
            found.push(path);
        }
    }
}

#[tokio::test]
async fn every_case_of_the_corpus_ends_as_it_must() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths = Vec::new();
    cases(&root, &mut paths);
    paths.sort();
    assert!(paths.len() >= 100, "the corpus holds {} cases", paths.len());
    let slots = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let mut runs = tokio::task::JoinSet::new();
    let mut of_task = HashMap::new();
    for path in paths.clone() {
        let slots = slots.clone();
        let run = runs.spawn({
            let path = path.clone();
            async move {
                let _slot = slots.acquire().await.unwrap();
                check(&path).await
            }
        });
        of_task.insert(run.id(), path);
    }
    let mut failed = Vec::new();
    while let Some(run) = runs.join_next_with_id().await {
        // A case that panics (one that does not end in time) is named, and the others run on.
        let (id, wrong) = match run {
            Ok((id, outcome)) => (id, outcome.err()),
            Err(e) => (e.id(), Some(e.to_string())),
        };
        if let Some(wrong) = wrong {
            let name = of_task[&id]
                .strip_prefix(&root)
                .unwrap()
                .display()
                .to_string();
            failed.push(format!("{name}: {wrong}"));
        }
    }
    failed.sort();
    println!("corpus: {} cases", paths.len());
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        paths.len(),
        failed.join("\n")
    );
}
