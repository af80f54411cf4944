//! Logging in, as MongoDB does it with SCRAM-SHA-256 (RFC 5802 and 7677): the users of
//! [`Config::users`](crate::Config::users) with their salted keys, and each connection's
//! [`Login`]. With no users the server asks for no login, as before users existed: `saslStart`
//! is then an unknown command and every command is allowed. A `hello`'s
//! `speculativeAuthenticate` goes unanswered, so drivers log in with `saslStart`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::{CmdResult, CommandError};

const MECHANISM: &str = "SCRAM-SHA-256";
/// MongoDB's default `scramSHA256IterationCount`.
const ITERATIONS: u32 = 15_000;
/// The database users are defined in: drivers log in to it unless `authSource` says otherwise.
const USERS_DB: &str = "admin";
/// What may run before logging in: what a driver needs to find the server and log in.
const BEFORE_LOGIN: &[&str] = &[
    "hello",
    "isMaster",
    "ismaster",
    "buildInfo",
    "buildinfo",
    "ping",
    "saslStart",
    "saslContinue",
];

#[derive(Debug, Clone)]
struct User {
    name: String,
    salt: [u8; 16],
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
}

/// The users that can log in; none means no login is needed.
#[derive(Debug, Clone, Default)]
pub struct Users(Vec<User>);

impl Users {
    /// Users of these names and passwords, their keys derived as MongoDB stores them.
    pub fn new(users: &[(String, String)]) -> Users {
        Users(
            users
                .iter()
                .map(|(name, password)| {
                    let mut salt = [0; 16];
                    rand::fill(&mut salt);
                    let salted = salted_password(password, &salt);
                    User {
                        name: name.clone(),
                        salt,
                        stored_key: Sha256::digest(hmac(&salted, b"Client Key")).to_vec(),
                        server_key: hmac(&salted, b"Server Key"),
                    }
                })
                .collect(),
        )
    }

    /// What `hello` answers to `saslSupportedMechs: "<db>.<user>"`: nothing for an unknown user.
    pub fn mechanisms(&self, db_user: &str) -> Option<Vec<&'static str>> {
        let (db, name) = db_user.split_once('.')?;
        self.find(db, name).map(|_| vec![MECHANISM])
    }

    fn find(&self, db: &str, name: &str) -> Option<&User> {
        self.0.iter().find(|u| db == USERS_DB && u.name == name)
    }
}

/// One connection's login: the SCRAM conversation under way, then whether it succeeded.
#[derive(Debug, Default)]
pub struct Login {
    pending: Option<Conversation>,
    logged_in: bool,
}

#[derive(Debug)]
struct Conversation {
    user: User,
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

impl Login {
    /// Answers `saslStart` and `saslContinue`, and refuses commands before logging in; `None`
    /// lets the command run. With no users, this never answers.
    pub fn intercept(
        &mut self,
        users: &Users,
        name: &str,
        command: &Document,
    ) -> Option<CmdResult<Document>> {
        if users.0.is_empty() {
            return None;
        }
        match name {
            "saslStart" => Some(self.start(users, command)),
            "saslContinue" => Some(self.finish(command)),
            _ if !self.logged_in && !BEFORE_LOGIN.contains(&name) => Some(Err(CommandError::new(
                13,
                "Unauthorized",
                format!("Command {name} requires authentication"),
            ))),
            _ => None,
        }
    }

    /// The client's first message: who, and its nonce. Answered with the salt, the iteration
    /// count and the nonce extended with the server's.
    fn start(&mut self, users: &Users, command: &Document) -> CmdResult<Document> {
        self.pending = None;
        let mechanism = command.get_str("mechanism").unwrap_or("");
        let db = command.get_str("$db").unwrap_or(USERS_DB);
        let message = payload(command)?;
        // "n,," (no channel binding, no authzid) then "n=<user>,r=<nonce>".
        let bare = message.strip_prefix("n,,").ok_or_else(failed)?;
        let mut fields = bare.split(',');
        let name = fields
            .next()
            .and_then(|f| f.strip_prefix("n="))
            .ok_or_else(failed)?
            .replace("=2C", ",")
            .replace("=3D", "=");
        let client_nonce = fields
            .next()
            .and_then(|f| f.strip_prefix("r="))
            .ok_or_else(failed)?;
        let user = match (mechanism, users.find(db, &name)) {
            (MECHANISM, Some(user)) => user.clone(),
            // MongoDB also knows SCRAM-SHA-1: an unknown user fails the same way with either.
            ("SCRAM-SHA-1" | MECHANISM, None) => return Err(failed()),
            (other, _) => {
                return Err(CommandError::new(
                    334,
                    "MechanismUnavailable",
                    format!("Received authentication for mechanism {other} which is not enabled"),
                ))
            }
        };
        let mut server_nonce = [0u8; 24];
        rand::fill(&mut server_nonce);
        let nonce = format!("{client_nonce}{}", BASE64.encode(server_nonce));
        let server_first = format!("r={nonce},s={},i={ITERATIONS}", BASE64.encode(user.salt));
        let reply = sasl_reply(false, &server_first);
        self.pending = Some(Conversation {
            user,
            client_first_bare: bare.to_string(),
            server_first,
            nonce,
        });
        Ok(reply)
    }

    /// The client's proof that it knows the password, answered with the server's signature
    /// (the client's proof that this server knows it too). Done in one step: drivers ask to
    /// `skipEmptyExchange`.
    fn finish(&mut self, command: &Document) -> CmdResult<Document> {
        let conversation = self
            .pending
            .take()
            .ok_or_else(|| CommandError::new(17, "ProtocolError", "No SASL session state found"))?;
        let message = payload(command)?;
        let (without_proof, proof) = message.rsplit_once(",p=").ok_or_else(failed)?;
        let proof = BASE64.decode(proof).map_err(|_| failed())?;
        // "c=biws": base64 of the "n,," header the first message had.
        if without_proof != format!("c=biws,r={}", conversation.nonce) {
            return Err(failed());
        }
        let auth_message = format!(
            "{},{},{without_proof}",
            conversation.client_first_bare, conversation.server_first
        );
        let user = &conversation.user;
        let signature = hmac(&user.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        if Sha256::digest(&client_key).as_slice() != user.stored_key {
            return Err(failed());
        }
        self.logged_in = true;
        let server_signature = hmac(&user.server_key, auth_message.as_bytes());
        Ok(sasl_reply(
            true,
            &format!("v={}", BASE64.encode(server_signature)),
        ))
    }
}

/// MongoDB's answer to any failed login: it does not say what was wrong.
fn failed() -> CommandError {
    CommandError::new(18, "AuthenticationFailed", "Authentication failed.")
}

/// The SCRAM message a `saslStart` or `saslContinue` carries (binary, or a string from some
/// shells).
fn payload(command: &Document) -> CmdResult<String> {
    let bytes = match command.get("payload") {
        Some(Bson::Binary(binary)) => binary.bytes.clone(),
        Some(Bson::String(text)) => text.clone().into_bytes(),
        _ => return Err(failed()),
    };
    String::from_utf8(bytes).map_err(|_| failed())
}

fn sasl_reply(done: bool, message: &str) -> Document {
    doc! {
        "conversationId": 1,
        "done": done,
        "payload": Binary { subtype: BinarySubtype::Generic, bytes: message.as_bytes().to_vec() },
        "ok": 1.0,
    }
}

fn hmac(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// The password as SCRAM-SHA-256 salts it: normalised with SASLprep (as drivers do), then
/// PBKDF2.
fn salted_password(password: &str, salt: &[u8]) -> Vec<u8> {
    let prepared = stringprep::saslprep(password).unwrap_or(password.into());
    let mut salted = vec![0; 32];
    pbkdf2::pbkdf2::<Hmac<Sha256>>(prepared.as_bytes(), salt, ITERATIONS, &mut salted)
        .expect("PBKDF2 gives 32 bytes");
    salted
}
