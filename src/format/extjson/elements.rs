//! A document's elements read from its bytes with the checks the bson crate's raw reader makes
//! (`RawIter` and `RawElement::value`, whose conversion to a `Document` the old `--json` went
//! through): what it refuses as malformed is refused here, without its per-element error
//! context, which cost most of the time of writing an event.

/// A value as read, borrowed from the bytes.
#[derive(Clone, Copy)]
pub(super) enum Value<'a> {
    Double(f64),
    String(&'a str),
    /// A document's bytes, its framing checked (its elements are read when it is walked).
    Document(&'a [u8]),
    Array(&'a [u8]),
    Binary(u8, &'a [u8]),
    Undefined,
    ObjectId(&'a [u8]),
    Boolean(bool),
    DateTime(i64),
    Null,
    Regex(&'a str, &'a str),
    DbPointer(&'a str, &'a [u8]),
    Code(&'a str),
    Symbol(&'a str),
    CodeWithScope(&'a str, &'a [u8]),
    Int32(i32),
    Timestamp {
        time: u32,
        increment: u32,
    },
    Int64(i64),
    Decimal128([u8; 16]),
    MinKey,
    MaxKey,
}

/// What the bson crate would not read.
pub(super) struct Malformed;

type Read<T> = Result<T, Malformed>;

/// The elements of a document whose framing was checked (length, final zero), in order.
pub(super) struct Elements<'a> {
    bytes: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> Elements<'a> {
    pub(super) fn new(document: &'a [u8]) -> Elements<'a> {
        Elements {
            bytes: document,
            offset: 4,
            done: false,
        }
    }

    fn element(&mut self) -> Read<(&'a str, Value<'a>)> {
        let bytes = self.bytes;
        let tag = bytes[self.offset];
        let key = cstring(bytes, self.offset + 1)?;
        let start = self.offset + 1 + key.len() + 1;
        let size = match tag {
            0x08 => 1,
            0x10 => 4,
            0x01 | 0x09 | 0x11 | 0x12 => 8,
            0x07 => 12,
            0x13 => 16,
            0x06 | 0x0a | 0x7f | 0xff => 0,
            0x02 | 0x0d | 0x0e => string_len(&bytes[start..])?,
            0x03 | 0x04 => document_len(bytes, start)?,
            0x05 => length_at(bytes, start)?.checked_add(5).ok_or(Malformed)?,
            0x0b => {
                let pattern = cstring(bytes, start)?;
                let options = cstring(bytes, start + pattern.len() + 1)?;
                pattern.len() + 1 + options.len() + 1
            }
            0x0c => string_len(&bytes[start..])?
                .checked_add(12)
                .ok_or(Malformed)?,
            0x0f => length_at(bytes, start)?,
            _ => return Err(Malformed),
        };
        let end = start.checked_add(size).ok_or(Malformed)?;
        let slice = bytes.get(start..end).ok_or(Malformed)?;
        self.offset = end;
        Ok((key, value(tag, slice)?))
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Read<(&'a str, Value<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let last = self.bytes.len() - 1;
        let element = if self.offset == last && self.bytes[last] == 0 {
            self.done = true;
            return None;
        } else if self.offset >= last {
            Err(Malformed)
        } else {
            self.element()
        };
        self.done = element.is_err();
        Some(element)
    }
}

/// The value of an element of type `tag`, whose bytes are `slice`.
fn value(tag: u8, slice: &[u8]) -> Read<Value<'_>> {
    Ok(match tag {
        0x01 => Value::Double(f64::from_le_bytes(array(slice)?)),
        0x02 => Value::String(string(slice)?),
        0x03 => Value::Document(slice),
        0x04 => Value::Array(slice),
        0x05 => {
            let len = slice.len() - 5;
            if slice.len() >= i32::MAX as usize {
                return Err(Malformed);
            }
            let subtype = slice[4];
            let data = &slice[5..];
            if subtype == 0x02 {
                // The old binary subtype repeats the length inside.
                let inner = length_from(data.get(..4).ok_or(Malformed)?)?;
                if inner.checked_add(4) != Some(len) {
                    return Err(Malformed);
                }
                Value::Binary(subtype, &data[4..])
            } else {
                Value::Binary(subtype, data)
            }
        }
        0x06 => Value::Undefined,
        0x07 => Value::ObjectId(slice),
        0x08 => match slice[0] {
            0 => Value::Boolean(false),
            1 => Value::Boolean(true),
            _ => return Err(Malformed),
        },
        0x09 => Value::DateTime(i64::from_le_bytes(array(slice)?)),
        0x0a => Value::Null,
        0x0b => {
            let pattern = cstring(slice, 0)?;
            Value::Regex(pattern, cstring(slice, pattern.len() + 1)?)
        }
        0x0c => {
            let namespace = string(&slice[..slice.len() - 12])?;
            Value::DbPointer(namespace, &slice[slice.len() - 12..])
        }
        0x0d => Value::Code(string(slice)?),
        0x0e => Value::Symbol(string(slice)?),
        0x0f => {
            // A length, the code, the scope: at least 4 + 5 + 5 bytes.
            if slice.len() < 14 {
                return Err(Malformed);
            }
            let code_len = string_len(&slice[4..])?;
            let code = string(&slice[4..4 + code_len])?;
            let scope = &slice[4 + code_len..];
            framed(scope)?;
            Value::CodeWithScope(code, scope)
        }
        0x10 => Value::Int32(i32::from_le_bytes(array(slice)?)),
        0x11 => Value::Timestamp {
            increment: u32::from_le_bytes(array(&slice[..4])?),
            time: u32::from_le_bytes(array(&slice[4..])?),
        },
        0x12 => Value::Int64(i64::from_le_bytes(array(slice)?)),
        0x13 => Value::Decimal128(array(slice)?),
        0x7f => Value::MaxKey,
        0xff => Value::MinKey,
        _ => return Err(Malformed),
    })
}

fn array<const N: usize>(slice: &[u8]) -> Read<[u8; N]> {
    slice
        .get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or(Malformed)
}

/// A non-negative i32 length.
fn length_from(slice: &[u8]) -> Read<usize> {
    usize::try_from(i32::from_le_bytes(array(slice)?)).map_err(|_| Malformed)
}

fn length_at(bytes: &[u8], at: usize) -> Read<usize> {
    length_from(bytes.get(at..).ok_or(Malformed)?)
}

/// The bytes a length-prefixed string takes (its length, its bytes, its zero).
fn string_len(buf: &[u8]) -> Read<usize> {
    let end = length_from(buf)?.checked_add(4).ok_or(Malformed)?;
    if end < 5 || buf.len() < end || buf[end - 1] != 0 {
        return Err(Malformed);
    }
    Ok(end)
}

/// A length-prefixed string whose bytes are `slice` (already measured by [`string_len`]).
fn string(slice: &[u8]) -> Read<&str> {
    let end = string_len(slice)?;
    std::str::from_utf8(&slice[4..end - 1]).map_err(|_| Malformed)
}

/// The zero-terminated string at `at`.
fn cstring(bytes: &[u8], at: usize) -> Read<&str> {
    let rest = bytes.get(at..).ok_or(Malformed)?;
    let len = rest.iter().position(|b| *b == 0).ok_or(Malformed)?;
    std::str::from_utf8(&rest[..len]).map_err(|_| Malformed)
}

/// The bytes an embedded document at `at` takes.
fn document_len(bytes: &[u8], at: usize) -> Read<usize> {
    let size = length_from(bytes.get(at..at + 4).ok_or(Malformed)?)?;
    if size < 5 {
        return Err(Malformed);
    }
    let end = at.checked_add(size).ok_or(Malformed)?;
    match bytes.get(at..end) {
        Some(document) if document[size - 1] == 0 => Ok(size),
        _ => Err(Malformed),
    }
}

/// Checks `bytes` are one document: its length, and its final zero.
pub(super) fn framed(bytes: &[u8]) -> Read<()> {
    let declared = i32::from_le_bytes(array(bytes)?);
    if bytes.len() < 5
        || usize::try_from(declared) != Ok(bytes.len())
        || bytes[bytes.len() - 1] != 0
    {
        return Err(Malformed);
    }
    Ok(())
}
