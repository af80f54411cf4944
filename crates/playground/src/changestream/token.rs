//! Resume tokens. Like MongoDB's, `_data` is uppercase hex that starts with the KeyString
//! Timestamp type byte (0x82) and the cluster time, so tools that decode real tokens read ours;
//! the rest is fixed-width, so tokens sort as text in stream order.

use bson::{doc, Bson, Document, Timestamp};

use crate::changestream::oplog::{successor, ts_key};
use crate::error::{CmdResult, CommandError};

/// Where a token sits in the stream: `(ts, kind, index)` orders events and high-water marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    pub ts: u64,
    pub kind: Kind,
    /// Which event of the oplog entry (an invalidate follows its drop at index 1).
    pub index: u32,
    pub from_invalidate: bool,
}

/// A high-water mark sorts before every event at the same cluster time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    HighWaterMark,
    Event,
}

impl Token {
    pub fn high_water_mark(ts: Timestamp) -> Token {
        Token {
            ts: ts_key(ts),
            kind: Kind::HighWaterMark,
            index: 0,
            from_invalidate: false,
        }
    }

    pub fn event(ts: Timestamp, index: u32, from_invalidate: bool) -> Token {
        Token {
            ts: ts_key(ts),
            kind: Kind::Event,
            index,
            from_invalidate,
        }
    }

    pub fn timestamp(&self) -> Timestamp {
        Timestamp {
            time: (self.ts >> 32) as u32,
            increment: self.ts as u32,
        }
    }

    /// The earliest cluster time a stream at this token may still have events to read from:
    /// a high-water mark's own (it sorts before that time's events), else the next one.
    pub fn unread_from(&self) -> Timestamp {
        match self.kind {
            Kind::HighWaterMark => self.timestamp(),
            Kind::Event => successor(self.timestamp()),
        }
    }

    pub fn to_document(self) -> Document {
        let kind = match self.kind {
            Kind::HighWaterMark => 0u8,
            Kind::Event => 128,
        };
        let data = format!(
            "82{:016X}2B02{:02X}{:08X}{:02X}04",
            self.ts,
            kind,
            self.index,
            u8::from(self.from_invalidate)
        );
        doc! { "_data": data }
    }

    /// Reads back a token this server emitted.
    pub fn parse(value: &Bson) -> CmdResult<Token> {
        let bad = || {
            CommandError::new(
                260,
                "InvalidResumeToken",
                format!("Invalid resume token: {value}"),
            )
        };
        let data = match value {
            Bson::Document(d) => d.get_str("_data").map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        if !data.is_ascii()
            || data.len() != 36
            || !data.starts_with("82")
            || &data[18..22] != "2B02"
        {
            return Err(bad());
        }
        let hex = |range: std::ops::Range<usize>| {
            u64::from_str_radix(&data[range], 16).map_err(|_| bad())
        };
        let kind = match hex(22..24)? {
            0 => Kind::HighWaterMark,
            128 => Kind::Event,
            _ => return Err(bad()),
        };
        Ok(Token {
            ts: hex(2..18)?,
            kind,
            index: hex(24..32)? as u32,
            from_invalidate: hex(32..34)? == 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(time: u32, increment: u32) -> Timestamp {
        Timestamp { time, increment }
    }

    #[test]
    fn round_trips_and_sorts_as_text_in_stream_order() {
        let tokens = [
            Token::high_water_mark(ts(5, 1)),
            Token::event(ts(5, 1), 0, false),
            Token::event(ts(5, 1), 1, true),
            Token::high_water_mark(ts(5, 2)),
            Token::event(ts(6, 0), 0, false),
        ];
        for pair in tokens.windows(2) {
            assert!(pair[0] < pair[1]);
            let (a, b) = (pair[0].to_document(), pair[1].to_document());
            assert!(a.get_str("_data").unwrap() < b.get_str("_data").unwrap());
        }
        for t in tokens {
            assert_eq!(Token::parse(&Bson::Document(t.to_document())).unwrap(), t);
        }
    }

    #[test]
    fn starts_with_the_keystring_timestamp() {
        let data = Token::event(ts(0x6543_2100, 7), 0, false).to_document();
        assert!(data
            .get_str("_data")
            .unwrap()
            .starts_with("826543210000000007"));
    }

    #[test]
    fn rejects_foreign_tokens() {
        let good = Token::event(ts(5, 1), 0, false).to_document();
        let good = good.get_str("_data").unwrap();
        // A token of the right length with one part foreign: the prefix, the marker after the
        // timestamp, the kind, a character that is not hex; and one that is not ASCII.
        let altered = |range: std::ops::Range<usize>, with: &str| {
            let mut data = good.to_string();
            data.replace_range(range, with);
            data
        };
        let not_ascii = format!("{}é", &good[..34]);
        for bad in [
            Bson::Int32(1),
            Bson::Document(doc! { "_data": "zz" }),
            Bson::Document(doc! {}),
            Bson::Document(doc! { "_data": altered(0..2, "83") }),
            Bson::Document(doc! { "_data": altered(18..22, "2B03") }),
            Bson::Document(doc! { "_data": altered(22..24, "07") }),
            Bson::Document(doc! { "_data": altered(2..3, "G") }),
            Bson::Document(doc! { "_data": not_ascii }),
        ] {
            assert_eq!(Token::parse(&bad).unwrap_err().code, 260, "{bad}");
        }
    }
}
