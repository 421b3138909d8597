//! Steps 1 and 2: the URL decoded (url-parse's report) and the request
//! message built (http-get's request building, as `http-get --offline` prints it).

use http_get::{RequestSpec, Target};

use crate::journey::error::Error;

/// The request that will be sent: what http-get needs to send it, and the
/// message as it will be written (credentials masked).
pub struct Request {
    /// The parsed http(s) URL.
    pub target: Target,
    /// Method, headers and credentials, as http-get decides them.
    pub spec: RequestSpec,
    /// The message, exactly as hyper will write it (credentials masked).
    pub message: Vec<u8>,
    /// The request line and header lines of the message (credentials masked).
    pub head_lines: Vec<String>,
}

/// The url-parse report of `input`: as JSON (the object `url-parse --json`
/// prints) and as url-parse's human reading, without its request lines.
pub fn decode(input: &str, color: bool) -> Result<(serde_json::Value, String), Error> {
    let url = url_parse::parse(input, None).map_err(|reason| Error::Url {
        input: input.to_string(),
        reason,
    })?;
    let report = url_parse::Report::new(&url);
    let mut json = serde_json::to_value(&report).map_err(std::io::Error::from)?;
    // As in http-get's JSON, a password never shows: the journey sends it, once.
    if !report.password.is_empty() {
        let href = url_parse::masked_href(&report).into_owned();
        json["password"] = netlens_core::redact::MASK.into();
        json["href"] = href.into();
    }
    let mut human = Vec::new();
    url_parse::decoded(&report, color, &mut human)?;
    Ok((json, String::from_utf8_lossy(&human).into_owned()))
}

/// The headers a browser sends with every request, after `Host`.
const BROWSER: [(&str, &str); 5] = [
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) netlens-journey",
    ),
    (
        "Accept",
        "text/html,application/xhtml+xml,image/avif,image/webp,*/*;q=0.8",
    ),
    ("Accept-Language", "ja,en-US;q=0.7,en;q=0.3"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Connection", "keep-alive"),
];

/// A browser's GET for `target`: http-get's request with a browser's headers.
pub fn browser(target: &Target) -> RequestSpec {
    BROWSER
        .iter()
        .fold(RequestSpec::get(target), |spec, (name, value)| {
            spec.with_header(name, value)
        })
}

/// Build the request for `input` as a browser would: a GET with a browser's
/// headers (and Basic credentials from the URL, masked when shown).
pub fn build(input: &str) -> Result<Request, Error> {
    let target = Target::parse(input, None)?;
    let spec = browser(&target);
    let message = spec.message(&target)?;
    let head_lines = spec.direct_head(&target).lines();
    Ok(Request {
        target,
        spec,
        message,
        head_lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_what_http_get_offline_prints() {
        let request = build("http://www.lab.glasscom.com/sample.htm").unwrap();
        let lines = &request.head_lines;
        assert_eq!(lines[0], "GET /sample.htm HTTP/1.1");
        assert_eq!(lines[1], "Host: www.lab.glasscom.com");
        for name in ["User-Agent", "Accept", "Accept-Language", "Accept-Encoding"] {
            assert!(
                lines.iter().any(|l| l.starts_with(&format!("{name}: "))),
                "{name}"
            );
        }
        assert!(lines.contains(&"Connection: keep-alive".to_string()));
        assert!(request.message.ends_with(b"\r\n\r\n"));
    }

    #[test]
    fn credentials_are_masked_and_other_schemes_refused() {
        let request = build("http://al:secret@h.test:8080/").unwrap();
        let text = String::from_utf8(request.message).unwrap();
        assert!(text.contains("Authorization: Basic ****"), "{text}");
        assert!(!text.contains("secret"));
        let e = build("ftp://h.test/x").err().unwrap();
        assert_eq!(netlens_core::Failure::exit_code(&e).code(), 2);
    }

    #[test]
    fn decodes_with_url_parse() {
        let (json, human) = decode("http://www.lab.glasscom.com/", false).unwrap();
        assert_eq!(json["host_kind"], "domain");
        assert_eq!(json["default_document"], true);
        assert!(human.contains("default document"), "{human}");
        assert!(decode("http://h:99999/", false).is_err());
        let (json, human) = decode("http://al:s3cret@h.test/", false).unwrap();
        assert_eq!(json["password"], "****");
        assert_eq!(json["href"], "http://al:****@h.test/");
        assert!(!json.to_string().contains("s3cret") && !human.contains("s3cret"));
    }
}
