//! Token insight: the cluster time inside a MongoDB resume token.
//!
//! A token's `_data` is a KeyString, as hex text (MongoDB 4.0 and later) or as binary (3.6).
//! It starts with the type byte of a Timestamp, 130 (0x82), followed by the timestamp as 8
//! big-endian bytes: seconds, then increment. Nothing else in a token is a stable format, and
//! a token that does not start that way is still a valid token to resume from: it just tells
//! nothing about its time.

use bson::{Bson, Document, Timestamp};

const TIMESTAMP_TYPE: u8 = 0x82;

/// The cluster time a resume token points at, if it can be read.
pub fn token_time(token: &Document) -> Option<Timestamp> {
    let head: Vec<u8> = match token.get("_data")? {
        Bson::String(hex) => hex_bytes(hex.get(..18)?)?,
        Bson::Binary(binary) => binary.bytes.get(..9)?.to_vec(),
        _ => return None,
    };
    let (&kind, time) = head.split_first()?;
    if kind != TIMESTAMP_TYPE {
        return None;
    }
    let key = u64::from_be_bytes(time.try_into().ok()?);
    Some(Timestamp {
        time: (key >> 32) as u32,
        increment: key as u32,
    })
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, spec::BinarySubtype, Binary};

    /// A token as MongoDB 6.0 emits it for an insert (copied from the server's documentation).
    const REAL: &str = "82635019A0000000012B042C0100296E5A1004AB1154ACACD849E48C61B6A8A1D76F6F46645F69640064635019A078BE67426D7CF4D2000004";

    #[test]
    fn reads_the_cluster_time_of_a_real_token() {
        let expected = Timestamp {
            time: 0x6350_19A0, // 2022-10-19T15:37:04Z
            increment: 1,
        };
        assert_eq!(token_time(&doc! { "_data": REAL }), Some(expected));
        assert_eq!(
            token_time(&doc! { "_data": REAL.to_lowercase() }),
            Some(expected)
        );
    }

    #[test]
    fn reads_binary_tokens_of_mongodb_3_6() {
        let mut bytes = vec![0x82, 0, 0, 0, 5, 0, 0, 0, 7];
        bytes.extend([0x46, 0x64, 0x5f]);
        let token = doc! { "_data": Binary { subtype: BinarySubtype::Generic, bytes } };
        assert_eq!(
            token_time(&token),
            Some(Timestamp {
                time: 5,
                increment: 7
            })
        );
    }

    #[test]
    fn tokens_it_cannot_read_tell_no_time() {
        for token in [
            doc! { "_data": "nonsense" },
            doc! { "_data": "82ABC" },
            doc! { "_data": "7F635019A0000000012B" },
            doc! { "_data": "82635019A00000000Z2B" },
            doc! { "_data": "é".repeat(18) },
            doc! { "_data": 5 },
            doc! { "other": "82635019A0000000012B" },
        ] {
            assert_eq!(token_time(&token), None, "{token}");
        }
    }
}
