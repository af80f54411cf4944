//! The README stays true: every key in the key tables is in its Keys section, and the two
//! set-up commands are where a newcomer looks for them.

use mwatch::app::keys::{self, Context};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_key_is_in_the_readme() {
    let readme = readme();
    let section = readme
        .split("### Keys")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("a Keys section");
    for context in Context::ALL {
        for binding in keys::tables(context).into_iter().flatten() {
            let label = keys::keys_label(binding);
            assert!(
                section.contains(&format!("`{label}`")),
                "README's Keys section lacks `{label}` ({}: {})",
                context.title(),
                binding.help
            );
        }
    }
}

#[test]
fn the_two_commands_are_in_the_install_section() {
    let readme = readme();
    let install = readme.split("## Install").nth(1).unwrap();
    assert!(install.contains("cargo run --release -- --demo"));
    assert!(install.contains("cargo test"));
}
