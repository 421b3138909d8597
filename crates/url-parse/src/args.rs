//! The command line of url-parse, shared by its own binary and `netlens url`.

use clap::Parser;
use netlens_core::CommonArgs;

use crate::edit::{Append, Edits, Iterate, Pair, Set};
use crate::template::Template;

/// Decode, inspect, change and resolve URLs the way a browser reads them
/// (WHATWG URL Standard).
///
/// Without options each URL is shown as a table of its parts, with the browser's
/// reading of it and the HTTP request that would fetch it. With --set,
/// --iterate, --append, --remove-query, --qtrim, --replace, --sort-query,
/// --punycode or --as-idn the (changed) URL is printed instead.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "url-parse",
    version,
    about,
    after_help = netlens_core::EXIT_CODES_HELP
)]
pub struct Args {
    /// URLs to read; `-`, or none with stdin not a terminal, reads one per line
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// Read URLs from FILE too, one per line (`-`: stdin); blank lines and `#`
    /// comments skipped
    #[arg(long, value_name = "FILE")]
    pub url_file: Vec<String>,

    /// Read an input without a scheme (`example.com/a`, `localhost:8080`,
    /// `//host/`) as SCHEME://..., as a browser's address bar does
    #[arg(long, value_name = "SCHEME", conflicts_with = "base")]
    pub default_scheme: Option<String>,

    /// Resolve each input against this base URL (relative references: `../a`, `?q=1`, `//host/`)
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,

    /// Print TEMPLATE per URL. Placeholders: {href} {scheme} {username} {password}
    /// {host} {hostname} {host_unicode} {host_kind} {port} {effective_port} {path}
    /// {directory} {file} {query} {fragment} {origin} {request_target}
    /// {registrable_domain} {subdomain} {query:NAME} (first value, decoded)
    /// {query-all:NAME} (every value, one per line) {segment:N} (path segment N,
    /// from 0, decoded); `{{` and `}}` are literal braces
    #[arg(long, value_name = "TEMPLATE")]
    pub get: Option<Template>,

    /// Change a component through the WHATWG setter, then print the new URL
    /// (scheme, username, password, host, hostname, port, path, query, fragment,
    /// href); repeatable, applied in order
    #[arg(long, value_name = "COMPONENT=VALUE")]
    pub set: Vec<Set>,

    /// Print one URL per value: `COMPONENT=V1 V2 ...` (space-separated);
    /// repeatable, every combination printed, the first component varying slowest
    #[arg(long, value_name = "COMPONENT=VALUES")]
    pub iterate: Vec<Iterate>,

    /// Add a query pair (query=NAME=VALUE); repeatable
    #[arg(long, value_name = "query=K=V")]
    pub append: Vec<Append>,

    /// Remove every query pair named K; repeatable
    #[arg(long, value_name = "K")]
    pub remove_query: Vec<String>,

    /// Remove every query pair whose name matches GLOB (`utm_*`; `*` is any
    /// run of characters, `?` one); repeatable
    #[arg(long, value_name = "GLOB")]
    pub qtrim: Vec<String>,

    /// Set query pair K to V (every pair named K becomes one); nothing when
    /// the query has no pair named K; repeatable
    #[arg(long, value_name = "K=V")]
    pub replace: Vec<Pair>,

    /// As --replace, but add the pair when the query has none named K
    #[arg(long, value_name = "K=V")]
    pub replace_append: Vec<Pair>,

    /// Print the whole URL with its host in ASCII (punycode) form
    #[arg(long)]
    pub punycode: bool,

    /// Print the whole URL with its host in Unicode form
    #[arg(long, conflicts_with = "punycode")]
    pub as_idn: bool,

    /// Sort the query pairs by name (stable: equal names keep their order)
    #[arg(long)]
    pub sort_query: bool,

    /// The flags every netlens tool has (--json, --color).
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Args {
    /// The changes asked for, in the order they are applied.
    pub fn edits(&self) -> Edits {
        let replaces = self.replace.iter().map(|p| (p.clone(), false));
        let appending = self.replace_append.iter().map(|p| (p.clone(), true));
        Edits {
            sets: self.set.clone(),
            iterates: self.iterate.clone(),
            removals: self.remove_query.clone(),
            trims: self.qtrim.clone(),
            replaces: replaces.chain(appending).collect(),
            appends: self.append.clone(),
            sort: self.sort_query,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Component;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("url-parse").chain(args.iter().copied()))
    }

    #[test]
    fn every_flag() {
        let args = parse(&[
            "--base",
            "http://b.example/",
            "--get",
            "{host}",
            "--set",
            "port=81",
            "--set",
            "path=/x",
            "--append",
            "query=a=1",
            "--remove-query",
            "b",
            "--sort-query",
            "--json",
            "a",
            "-",
        ])
        .unwrap();
        assert_eq!(args.urls, ["a", "-"]);
        assert_eq!(args.base.as_deref(), Some("http://b.example/"));
        assert!(args.get.is_some());
        assert_eq!(args.set.len(), 2);
        assert_eq!(args.set[1].component, Component::Path);
        let edits = args.edits();
        assert_eq!(edits.appends[0].name, "a");
        assert_eq!(edits.removals, ["b"]);
        assert!(edits.sort && args.common.json);
    }

    #[test]
    fn trurl_flags() {
        let args = parse(&[
            "--url-file",
            "urls.txt",
            "--iterate",
            "scheme=http https",
            "--iterate",
            "port=80 8080",
            "--qtrim",
            "utm_*",
            "--replace",
            "a=1",
            "--replace-append",
            "b=2",
            "--as-idn",
            "--default-scheme",
            "https",
        ])
        .unwrap();
        assert_eq!(args.url_file, ["urls.txt"]);
        assert_eq!(args.default_scheme.as_deref(), Some("https"));
        let edits = args.edits();
        assert_eq!(edits.iterates.len(), 2);
        assert_eq!(edits.iterates[1].values, ["80", "8080"]);
        assert_eq!(edits.trims, ["utm_*"]);
        assert_eq!(
            edits
                .replaces
                .iter()
                .map(|(p, a)| (p.name.as_str(), *a))
                .collect::<Vec<_>>(),
            [("a", false), ("b", true)]
        );
        assert!(args.as_idn && !args.punycode);
        assert!(parse(&["--punycode", "--as-idn"]).is_err());
        assert!(parse(&["--base", "http://b/", "--default-scheme", "http"]).is_err());
        assert!(parse(&["--replace", "=x"]).is_err());
    }

    #[test]
    fn bad_values_are_usage_errors() {
        assert!(parse(&["--set", "colour=red"]).is_err());
        assert!(parse(&["--append", "a=1"]).is_err());
        assert!(parse(&["--get", "{nope}"]).is_err());
    }

    #[test]
    fn no_flags() {
        let args = parse(&[]).unwrap();
        assert!(args.urls.is_empty() && args.edits().is_empty() && args.get.is_none());
    }
}
