pub mod cli;
pub mod playground;
