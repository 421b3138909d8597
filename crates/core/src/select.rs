//! Which inputs a run takes: `--input-field` (the input is one field of a JSON
//! line) and `--shard K/N` (only the inputs whose stable hash falls in shard K).
//!
//! The shard of an input is `fnv1a64(input) % N + 1`, where `input` is the
//! input's text as the tool reads it (after trimming, and after `--input-field`
//! picked the field) and FNV-1a is the 64-bit variant (offset basis
//! 0xcbf29ce484222325, prime 0x100000001b3) over its UTF-8 bytes. It depends on
//! nothing but those bytes, so every machine puts an input in the same shard,
//! and the N shards together hold every input exactly once.
//!
//! See: <http://www.isthe.com/chongo/tech/comp/fnv/> (FNV-1a).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::exit::{ExitCode, Failure};

/// `--shard K/N`: shard K (from 1) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1 to `count`.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// Whether `input` falls in this shard.
    pub fn holds(&self, input: &str) -> bool {
        fnv1a64(input.as_bytes()) % self.count + 1 == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("{text}: not K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// 64-bit FNV-1a of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// How the inputs of a run are picked: the field of a JSON line, the shard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `--input-field NAME`: lines are JSON objects; the input is this field.
    pub field: Option<String>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
}

/// What becomes of one input line.
#[derive(Debug, PartialEq, Eq)]
pub enum Selected<'a> {
    /// The input, to run.
    Take(Cow<'a, str>),
    /// In another shard: not this run's.
    Skip,
    /// The line does not hold the field: an error in the input's place.
    Fail(FieldError),
}

impl Selection {
    /// Whether every input is taken as it is.
    pub fn is_all(&self) -> bool {
        self.field.is_none() && self.shard.is_none()
    }

    /// Pick the input of a line read from stdin or `--input-file`.
    pub fn line<'a>(&self, line: &'a str) -> Selected<'a> {
        let Some(field) = &self.field else {
            return self.argument(line);
        };
        match field_of(line, field) {
            Ok(input) if self.in_shard(&input) => Selected::Take(Cow::Owned(input)),
            Ok(_) => Selected::Skip,
            // The line's own shard decides who reports it, so that exactly one
            // of N shards does.
            Err(error) if self.in_shard(line) => Selected::Fail(error),
            Err(_) => Selected::Skip,
        }
    }

    /// Pick a positional argument: taken as it is, if it is in the shard.
    pub fn argument<'a>(&self, input: &'a str) -> Selected<'a> {
        if self.in_shard(input) {
            Selected::Take(Cow::Borrowed(input))
        } else {
            Selected::Skip
        }
    }

    fn in_shard(&self, input: &str) -> bool {
        self.shard.is_none_or(|shard| shard.holds(input))
    }
}

/// The text of `field` in the JSON object `line`: a string as it is, a number
/// or boolean as JSON writes it.
fn field_of(line: &str, field: &str) -> Result<String, FieldError> {
    let object: serde_json::Value = serde_json::from_str(line).map_err(|error| FieldError {
        field: field.to_string(),
        why: format!("not a JSON object ({error})"),
    })?;
    let missing = |why: &str| FieldError {
        field: field.to_string(),
        why: why.to_string(),
    };
    match object.get(field) {
        _ if !object.is_object() => Err(missing("not a JSON object")),
        None | Some(serde_json::Value::Null) => Err(missing("no such field in this line")),
        Some(serde_json::Value::String(text)) => Ok(text.trim().to_string()),
        Some(value @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
            Ok(value.to_string())
        }
        Some(_) => Err(missing("the field is not a string or a number")),
    }
}

/// A line that does not give the `--input-field` it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    field: String,
    why: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "input field {:?}: {}", self.field, self.why)
    }
}

impl std::error::Error for FieldError {}

impl Failure for FieldError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }

    fn kind(&self) -> &'static str {
        "input_field"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_input_falls_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { index: k, count: 4 }).collect();
        let mut sizes = [0; 4];
        for n in 0..10_000 {
            let input = format!("name{n}.bulk.test");
            let holders: Vec<usize> = (0..4).filter(|&i| shards[i].holds(&input)).collect();
            assert_eq!(holders.len(), 1, "{input}");
            sizes[holders[0]] += 1;
        }
        // FNV spreads them: each shard near a quarter.
        assert!(
            sizes.iter().all(|&n| (2_200..2_800).contains(&n)),
            "{sizes:?}"
        );
    }

    #[test]
    fn a_field_is_taken_from_json_lines() {
        let pick = Selection {
            field: Some("url".into()),
            shard: None,
        };
        assert_eq!(
            pick.line(r#"{"url": " http://a/ ", "status": 200}"#),
            Selected::Take(Cow::Owned("http://a/".into()))
        );
        let pick = Selection {
            field: Some("status".into()),
            shard: None,
        };
        assert_eq!(
            pick.line(r#"{"status": 200}"#),
            Selected::Take(Cow::Owned("200".into()))
        );
        for bad in [
            r#"{"other": 1}"#,
            "not json",
            "[1, 2]",
            r#"{"status": [1]}"#,
        ] {
            let Selected::Fail(error) = pick.line(bad) else {
                panic!("{bad} was taken");
            };
            assert!(error.to_string().starts_with("input field \"status\": "));
            assert_eq!(error.exit_code(), ExitCode::Usage);
        }
    }

    #[test]
    fn arguments_are_sharded_but_not_parsed_as_json() {
        let pick = Selection {
            field: Some("url".into()),
            shard: None,
        };
        assert_eq!(pick.argument("x"), Selected::Take(Cow::Borrowed("x")));
        let first = Selection {
            field: None,
            shard: Some(Shard { index: 1, count: 2 }),
        };
        let second = Selection {
            field: None,
            shard: Some(Shard { index: 2, count: 2 }),
        };
        for input in ["a", "b", "c", "d"] {
            let taken = [&first, &second]
                .iter()
                .filter(|pick| pick.argument(input) != Selected::Skip)
                .count();
            assert_eq!(taken, 1, "{input}");
        }
    }
}
