//! The app's test helpers: the workspace's shared ones (`mwatch_testkit`), and the CLI, pty,
//! home-directory and TUI fixtures of its own.
#![allow(dead_code)]

pub mod cli;
pub mod home;
pub mod pty;
pub mod tui;

pub use mwatch_testkit::*;
