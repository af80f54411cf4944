//! The playground as a MongoDB server, through the official driver and raw sockets: the wire
//! protocol, replica-set discovery, and the commands.

mod auth;
mod commands;
mod corpus;
mod discovery;
mod hostile;
mod wire;
