//! One file per subcommand or mode.

pub mod bookmarks;
pub mod headless;
pub mod setup;
