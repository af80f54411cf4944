//! The README stays true: its key table is the code's key tables (the same keys, in the same
//! places), its flags are the command line's (each on its own subcommand), the CI gate runs
//! its test command, and the two set-up commands are where a newcomer looks for them.

use std::collections::BTreeSet;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use mwatch::app::keys::{self, Context};
use mwatch::cli::Cli;

fn readme() -> String {
    read("README.md")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The text under `heading` (`## Name` or `### Name`), up to the next heading.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no {heading} in the README"))
        + heading.len()
        + 2;
    let rest = &readme[start..];
    let end = ["\n## ", "\n### "]
        .iter()
        .filter_map(|next| rest.find(next))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The body rows of the tables in `text`, as cells (`\|` stays inside its cell).
fn rows(text: &str) -> Vec<Vec<&str>> {
    let mut rows = Vec::new();
    let mut in_body = false;
    for line in text.lines() {
        if !line.starts_with('|') {
            in_body = false;
        } else if line.starts_with("|---") {
            in_body = true;
        } else if in_body {
            rows.push(line.trim_matches('|').split(" | ").map(str::trim).collect());
        }
    }
    rows
}

/// The texts between backticks.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The contexts a Keys row's "where" names: `everywhere`, or pane and overlay titles
/// separated by commas, each maybe followed by the keys that open it in parentheses.
fn contexts(place: &str) -> Vec<Context> {
    let names = place.split(" (").next().unwrap();
    if names == "everywhere" {
        return Context::ALL.to_vec();
    }
    names
        .split(", ")
        .map(|name| {
            Context::ALL
                .into_iter()
                .find(|c| c.title().to_lowercase() == name)
                .unwrap_or_else(|| panic!("the README's Keys table names no context '{name}'"))
        })
        .collect()
}

#[test]
fn the_keys_table_is_the_key_tables() {
    let readme = readme();
    let table = rows(section(&readme, "### Keys"));
    for context in Context::ALL {
        let code: BTreeSet<String> = keys::tables(context)
            .into_iter()
            .flatten()
            .map(keys::keys_label)
            .collect();
        let documented: BTreeSet<String> = table
            .iter()
            .filter(|row| contexts(row[0]).contains(&context))
            .flat_map(|row| quoted(row[1]))
            .map(str::to_string)
            .collect();
        let missing: Vec<_> = code.difference(&documented).collect();
        let wrong: Vec<_> = documented.difference(&code).collect();
        assert!(
            missing.is_empty() && wrong.is_empty(),
            "{}: the README lacks {missing:?} and lists {wrong:?}, which the code has not there",
            context.title()
        );
    }
}

/// A place where the README documents flags of one command line: a row of a flags table, or a
/// usage (`mwatch SUBCOMMAND... ARGS`, up to a backtick, a `#`, a `|` or two spaces).
struct Place<'a> {
    /// The subcommands, e.g. `["bookmarks", "list"]`; empty for `mwatch` itself.
    path: Vec<&'a str>,
    flags: Vec<&'a str>,
    text: String,
}

/// The `--flags` in `text`.
fn flags(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .collect()
}

fn places(readme: &str) -> Vec<Place<'_>> {
    let tables = [
        ("### Flags", &[][..]),
        ("## The playground", &["playground"][..]),
    ];
    let mut places: Vec<Place> = tables
        .iter()
        .flat_map(|(heading, path)| {
            rows(section(readme, heading)).into_iter().map(|row| Place {
                path: path.to_vec(),
                flags: flags(row[0]),
                text: row.join(" | "),
            })
        })
        .collect();
    let command = Cli::command();
    for (at, _) in readme.match_indices("mwatch ") {
        let rest = &readme[at..];
        let end = ["`", "#", "|", "  ", "\n"]
            .iter()
            .filter_map(|stop| rest.find(stop))
            .min()
            .unwrap_or(rest.len());
        let text = &rest[..end];
        let mut path = Vec::new();
        let mut sub = &command;
        for word in text.split_whitespace().skip(1) {
            match sub.find_subcommand(word) {
                Some(found) => {
                    path.push(word);
                    sub = found;
                }
                None => break,
            }
        }
        places.push(Place {
            path,
            flags: flags(text),
            text: text.to_string(),
        });
    }
    places
}

/// `mwatch` and the subcommands of `path`.
fn shown(path: &[impl AsRef<str>]) -> String {
    let mut words = vec!["mwatch"];
    words.extend(path.iter().map(AsRef::as_ref));
    words.join(" ")
}

/// Every command line with its long flags (clap's own `--help` and `--version` aside).
fn command_lines() -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, Vec<String>)>) {
        let flags = command
            .get_arguments()
            .filter_map(|arg| arg.get_long())
            .filter(|long| !["help", "version"].contains(long))
            .map(|long| format!("--{long}"))
            .collect();
        out.push((path.clone(), flags));
        for sub in command.get_subcommands() {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

#[test]
fn the_readmes_flags_are_the_command_lines() {
    let readme = readme();
    let places = places(&readme);
    let lines = command_lines();
    for place in &places {
        let (_, real) = lines.iter().find(|(path, _)| *path == place.path).unwrap();
        for flag in &place.flags {
            assert!(
                real.iter().any(|f| f == flag),
                "the README gives `{}` a flag {flag} it does not have: {}",
                shown(&place.path),
                place.text
            );
        }
    }
    for (path, real) in &lines {
        for flag in real {
            assert!(
                places
                    .iter()
                    .any(|p| p.path == *path && p.flags.contains(&flag.as_str())),
                "the README does not document {flag} of `{}`",
                shown(path)
            );
        }
    }
}

/// The flags `flag` of `mwatch PATH` cannot go without, as clap says when it is given alone.
fn needed(path: &[&str], flag: &str) -> Vec<String> {
    let command = Cli::command();
    let mut sub = &command;
    for name in path {
        sub = sub.find_subcommand(name).unwrap();
    }
    let Some(arg) = sub
        .get_arguments()
        .find(|arg| arg.get_long() == flag.strip_prefix("--"))
    else {
        // Not a flag at all: the_readmes_flags_are_the_command_lines says so.
        return Vec::new();
    };
    let mut line = vec!["mwatch".to_string()];
    line.extend(path.iter().map(|name| name.to_string()));
    line.push(flag.to_string());
    if arg.get_action().takes_values() {
        // Any value clap takes, so that only a missing flag can fail.
        let value = match (
            arg.get_default_values().first(),
            arg.get_possible_values().first(),
        ) {
            (Some(default), _) => default.to_string_lossy().into_owned(),
            (None, Some(possible)) => possible.get_name().to_string(),
            (None, None) => "1".to_string(),
        };
        line.push(value);
    }
    match Cli::try_parse_from(&line) {
        Err(e) if e.kind() == ErrorKind::MissingRequiredArgument => {
            match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(args)) => args
                    .iter()
                    .filter(|arg| arg.starts_with("--"))
                    .cloned()
                    .collect(),
                other => panic!("{other:?}"),
            }
        }
        _ => Vec::new(),
    }
}

#[test]
fn where_the_readme_documents_a_flag_it_names_the_flags_it_needs() {
    let readme = readme();
    for place in places(&readme) {
        for flag in &place.flags {
            for needed in needed(&place.path, flag) {
                assert!(
                    place.text.contains(&needed),
                    "{flag} of `{}` needs {needed}, which the README does not say there: {}",
                    shown(&place.path),
                    place.text
                );
            }
        }
    }
}

/// The watch and `mwatch replay` end with exit code 2 when they would draw the TUI on what is
/// not a terminal (tests/cli/usage.rs runs them so).
#[test]
fn the_readme_says_that_without_json_standard_output_must_be_a_terminal() {
    let readme = readme();
    let said = section(&readme, "### Flags")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for (command, says) in [
        ("mwatch", "Without `--json`, mwatch shows the TUI, which needs a terminal: when standard output is not one, it exits 2"),
        ("mwatch replay", "without `--json` it exits 2 when standard output is not a terminal"),
    ] {
        assert!(said.contains(says), "the README does not say of `{command}`: {says}");
    }
}

#[test]
fn the_ci_gate_runs_the_readmes_test_command_and_the_readme_says_what_it_runs() {
    let readme = readme();
    let install = section(&readme, "## Install");
    let test = install
        .lines()
        .find(|line| line.starts_with("cargo test"))
        .and_then(|line| line.split('#').next())
        .expect("a test command")
        .trim();
    let gate = read(".ci/run");
    let commands: Vec<&str> = gate
        .lines()
        .filter(|line| line.starts_with("cargo "))
        .collect();
    assert!(commands.contains(&test), "{commands:?} lacks `{test}`");
    let development = section(&readme, "## Development");
    let documented = quoted(development);
    for command in commands {
        assert!(
            documented.contains(&command),
            "the README's Development section lacks `{command}`"
        );
    }
}

#[test]
fn the_two_commands_are_in_the_install_section() {
    let readme = readme();
    let install = readme.split("## Install").nth(1).unwrap();
    assert!(install.contains("cargo run --release -- --demo"));
    assert!(install.contains("cargo test"));
}
