//! From the command line to questions: `@SERVER`, names and their types.
//!
//! The positional arguments read like dig's: `NAME [TYPE]...` groups, types
//! before the first name applying to every name without its own (names read
//! from stdin too), and `@SERVER` anywhere. A word is a type when it is the
//! name of a record type (any case) and holds no dot, as in dig.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};

use crate::args::Args;
use crate::error::Error;

/// The default DNS port.
pub const DNS_PORT: u16 = 53;

/// The default port of DNS over TLS (RFC 7858 §3.1).
pub const DOT_PORT: u16 = 853;

/// The default port of DNS over HTTPS (HTTPS's).
pub const DOH_PORT: u16 = 443;

/// What the positional arguments asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The server named by `@SERVER` or `--server`.
    pub server: Option<SocketAddr>,
    /// Types given before any name: the default for names without their own.
    pub default_types: Vec<RecordType>,
    /// One input per name: `"NAME TYPE..."` (or `-` for stdin).
    pub inputs: Vec<String>,
    /// Every NAME is an address to reverse (`-x`).
    pub reverse: bool,
    /// With type words only (no name, no `-`): those words as given, the
    /// first to be taken as the name when stdin brings none (`dns-lookup mx`).
    pub lone: Option<String>,
}

/// One question: a name and a type, and the input it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The fully qualified name asked.
    pub name: Name,
    /// The type asked.
    pub rtype: RecordType,
}

impl Plan {
    /// Split the positional arguments of `args`.
    pub fn from_args(args: &Args) -> Result<Plan, Error> {
        let port = args.port.unwrap_or(if args.tls {
            DOT_PORT
        } else if args.https.is_some() {
            DOH_PORT
        } else {
            DNS_PORT
        });
        let mut server = match &args.server {
            Some(text) => Some(parse_server(text, port)?),
            None => None,
        };
        let mut default_types = Vec::new();
        let mut inputs: Vec<String> = Vec::new();
        let mut open_group = false;
        let mut type_words: Vec<&str> = Vec::new();
        for token in &args.targets {
            if let Some(text) = token.strip_prefix('@') {
                if server.is_some() {
                    return Err(Error::TwoServers(text.to_string()));
                }
                server = Some(parse_server(text, port)?);
            } else if token != "-"
                && let Some(rtype) = parse_type(token)
            {
                match inputs.last_mut() {
                    Some(group) if open_group => {
                        group.push(' ');
                        group.push_str(&rtype.to_string());
                    }
                    _ => {
                        default_types.push(rtype);
                        type_words.push(token);
                    }
                }
            } else {
                open_group = token != "-";
                inputs.push(token.clone());
            }
        }
        let lone = (inputs.is_empty() && !type_words.is_empty()).then(|| type_words.join(" "));
        Ok(Plan {
            server,
            default_types,
            inputs,
            reverse: args.reverse,
            lone,
        })
    }

    /// The questions of one input line (`NAME [TYPE]...`).
    pub fn questions(&self, input: &str) -> Result<Vec<Question>, Error> {
        let mut words = input.split_whitespace();
        let Some(first) = words.next() else {
            return Err(Error::Usage("empty input".into()));
        };
        let mut types = words
            .map(|word| {
                parse_type(word)
                    .ok_or_else(|| Error::Usage(format!("type {word}: not a record type")))
            })
            .collect::<Result<Vec<RecordType>, Error>>()?;
        if types.is_empty() {
            types = self.default_types.clone();
        }
        let name = if self.reverse {
            let addr: IpAddr = first
                .parse()
                .map_err(|_| Error::BadAddress(first.to_string()))?;
            if types.is_empty() {
                types.push(RecordType::PTR);
            }
            Name::from(addr)
        } else {
            parse_name(first)?
        };
        if types.is_empty() {
            types.push(RecordType::A);
        }
        Ok(types
            .into_iter()
            .map(|rtype| Question {
                name: name.clone(),
                rtype,
            })
            .collect())
    }
}

/// A domain name, made fully qualified; IDNs become their A-labels.
pub fn parse_name(text: &str) -> Result<Name, Error> {
    let bad = |why: String| Error::BadName {
        name: text.to_string(),
        why,
    };
    if text.is_empty() {
        return Err(bad("empty".into()));
    }
    let mut name = Name::from_utf8(text).map_err(|e| bad(e.to_string()))?;
    name.set_fqdn(true);
    Ok(name)
}

/// A record type by name (`mx`, `AAAA`, `TYPE65`), or `None`.
pub fn parse_type(word: &str) -> Option<RecordType> {
    if word.contains('.') || word.is_empty() {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    if let Some(number) = upper.strip_prefix("TYPE") {
        return number.parse::<u16>().ok().map(RecordType::from);
    }
    match RecordType::from_str(&upper) {
        Ok(RecordType::Unknown(_)) | Err(_) => None,
        Ok(rtype) => Some(rtype),
    }
}

/// `ADDR`, `ADDR:PORT`, `[V6]:PORT` or a bare IPv6 address; `port` is the default.
pub fn parse_server(text: &str, port: u16) -> Result<SocketAddr, Error> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .map_err(|_| Error::BadServer(text.to_string()))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn plan(argv: &[&str]) -> Result<Plan, Error> {
        let mut full = vec!["dns-lookup"];
        full.extend_from_slice(argv);
        Plan::from_args(&Args::try_parse_from(full).unwrap())
    }

    #[test]
    fn groups_names_with_their_types() {
        let p = plan(&["@127.0.0.1:5300", "a.example", "mx", "TXT", "b.example"]).unwrap();
        assert_eq!(p.server, Some("127.0.0.1:5300".parse().unwrap()));
        assert_eq!(p.inputs, ["a.example MX TXT", "b.example"]);
        let q = p.questions("a.example MX TXT").unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].name.to_string(), "a.example.");
        assert_eq!(q[1].rtype, RecordType::TXT);
        assert_eq!(p.questions("b.example").unwrap()[0].rtype, RecordType::A);
    }

    #[test]
    fn leading_types_are_defaults() {
        let p = plan(&["AAAA", "x.example", "-"]).unwrap();
        assert_eq!(p.default_types, [RecordType::AAAA]);
        assert_eq!(p.inputs, ["x.example", "-"]);
        assert_eq!(p.questions("y.example").unwrap()[0].rtype, RecordType::AAAA);
        assert_eq!(p.lone, None);
    }

    #[test]
    fn type_words_alone_are_kept_as_a_possible_name() {
        let p = plan(&["@127.0.0.1", "mx"]).unwrap();
        assert_eq!(p.lone.as_deref(), Some("mx"));
        assert!(p.inputs.is_empty());
        let p = plan(&["a", "txt"]).unwrap();
        assert_eq!(p.lone.as_deref(), Some("a txt"));
        let q = p.questions("a txt").unwrap();
        assert_eq!(
            (q[0].name.to_string().as_str(), q[0].rtype),
            ("a.", RecordType::TXT)
        );
        assert_eq!(plan(&["mx", "-"]).unwrap().lone, None);
    }

    #[test]
    fn servers_parse_with_default_port() {
        assert_eq!(parse_server("192.0.2.1", 53).unwrap().port(), 53);
        assert_eq!(
            parse_server("::1", 5353).unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert_eq!(parse_server("[::1]:99", 53).unwrap().port(), 99);
        assert_eq!(
            parse_server("dns.example", 53).unwrap_err().to_string(),
            "server dns.example: not an address with an optional port (ADDR, ADDR:PORT, [V6]:PORT)"
        );
        assert!(matches!(
            plan(&["@192.0.2.1", "@192.0.2.2", "x"]),
            Err(Error::TwoServers(_))
        ));
        assert!(matches!(
            plan(&["--server", "192.0.2.1", "@192.0.2.2"]),
            Err(Error::TwoServers(_))
        ));
        let p = plan(&["--port", "5353", "@127.0.0.1", "x"]).unwrap();
        assert_eq!(p.server.unwrap().port(), 5353);
    }

    #[test]
    fn reverse_makes_ptr_names() {
        let p = plan(&["-x", "192.0.2.1"]).unwrap();
        let q = p.questions("192.0.2.1").unwrap();
        assert_eq!(q[0].name.to_string(), "1.2.0.192.in-addr.arpa.");
        assert_eq!(q[0].rtype, RecordType::PTR);
        assert!(matches!(p.questions("nope"), Err(Error::BadAddress(_))));
    }

    #[test]
    fn types_and_names_are_checked() {
        assert_eq!(parse_type("caa"), Some(RecordType::CAA));
        assert_eq!(parse_type("type65"), Some(RecordType::HTTPS));
        assert_eq!(parse_type("www.mx"), None);
        assert_eq!(parse_type("glasscom"), None);
        let p = plan(&[]).unwrap();
        assert_eq!(
            p.questions("x.example BOGUS").unwrap_err().to_string(),
            "type BOGUS: not a record type"
        );
        assert!(p.questions("bad..name").is_err());
        assert_eq!(
            p.questions("münchen.example").unwrap()[0].name.to_ascii(),
            "xn--mnchen-3ya.example."
        );
    }
}
