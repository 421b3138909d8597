//! Changing a URL: `--set COMPONENT=VALUE` and `--iterate` through the WHATWG
//! setters, and the query edits `--remove-query K`, `--qtrim GLOB`,
//! `--replace K=V`, `--replace-append K=V`, `--append query=K=V` and
//! `--sort-query` through `URLSearchParams`, as a browser script would do them.
//!
//! See: URL Standard §6.1 (URL class setters) and §6.2 (URLSearchParams)

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use ada_url::{Url, UrlSearchParams};

use crate::decode::form_decode_lossy;

/// A component that `--set` can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The whole URL (`href`).
    Href,
    /// The scheme (`protocol`).
    Scheme,
    /// The user name.
    Username,
    /// The password.
    Password,
    /// Host and port (`host`).
    Host,
    /// The host alone (`hostname`).
    Hostname,
    /// The port.
    Port,
    /// The path (`pathname`).
    Path,
    /// The query (`search`).
    Query,
    /// The fragment (`hash`).
    Fragment,
}

impl Component {
    /// The name url-parse uses for it.
    pub fn name(self) -> &'static str {
        match self {
            Component::Href => "href",
            Component::Scheme => "scheme",
            Component::Username => "username",
            Component::Password => "password",
            Component::Host => "host",
            Component::Hostname => "hostname",
            Component::Port => "port",
            Component::Path => "path",
            Component::Query => "query",
            Component::Fragment => "fragment",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Component {
    type Err = String;

    /// url-parse's names and the WHATWG getter names are both accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "href" | "url" => Component::Href,
            "scheme" | "protocol" => Component::Scheme,
            "username" | "user" => Component::Username,
            "password" => Component::Password,
            "host" => Component::Host,
            "hostname" => Component::Hostname,
            "port" => Component::Port,
            "path" | "pathname" => Component::Path,
            "query" | "search" => Component::Query,
            "fragment" | "hash" => Component::Fragment,
            _ => {
                return Err(format!(
                    "unknown component {s:?}: expected scheme, username, password, host, \
                     hostname, port, path, query, fragment or href"
                ));
            }
        })
    }
}

/// One `--set COMPONENT=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// What to change.
    pub component: Component,
    /// The new value, as a script would assign it.
    pub value: String,
}

impl FromStr for Set {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (component, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: expected COMPONENT=VALUE"))?;
        Ok(Set {
            component: component.parse()?,
            value: value.to_string(),
        })
    }
}

/// One `--append query=K=V`: a query pair to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    /// The parameter's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl FromStr for Append {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let pair = s
            .strip_prefix("query=")
            .ok_or_else(|| format!("{s:?}: expected query=NAME=VALUE"))?;
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        Ok(Append {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

/// One `--iterate 'COMPONENT=V1 V2 ...'`: a component and the values it takes in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iterate {
    /// What to change.
    pub component: Component,
    /// The values, split on spaces.
    pub values: Vec<String>,
}

impl FromStr for Iterate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let set: Set = s.parse()?;
        let values: Vec<String> = set
            .value
            .split(' ')
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect();
        if values.is_empty() {
            return Err(format!("{s:?}: expected COMPONENT=V1 V2 ..."));
        }
        Ok(Iterate {
            component: set.component,
            values,
        })
    }
}

/// Every combination of the `--iterate` values, the first component's
/// values varying slowest: each as the sets to apply.
pub fn combinations(iterates: &[Iterate]) -> Vec<Vec<Set>> {
    let mut all = vec![Vec::new()];
    for iterate in iterates {
        all = all
            .into_iter()
            .flat_map(|sets: Vec<Set>| {
                iterate.values.iter().map(move |value| {
                    let mut more = sets.clone();
                    more.push(Set {
                        component: iterate.component,
                        value: value.clone(),
                    });
                    more
                })
            })
            .collect();
    }
    all
}

/// A query pair given as `K=V` (or `K` alone: an empty value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl FromStr for Pair {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, value) = s.split_once('=').unwrap_or((s, ""));
        if name.is_empty() {
            return Err(format!("{s:?}: expected NAME=VALUE"));
        }
        Ok(Pair {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

/// Whether `name` matches `glob`: `*` stands for any run of characters, `?`
/// for one; anything else for itself.
pub fn glob_match(glob: &str, name: &str) -> bool {
    let (glob, name): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    // The classic two-pointer match, going back to the last `*` on a mismatch.
    let (mut g, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some((g, n));
                g += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                g += 1;
                n += 1;
            }
            _ => match star {
                Some((star_g, star_n)) => {
                    g = star_g + 1;
                    n = star_n + 1;
                    star = Some((star_g, star_n + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

/// Every change asked for, applied in this order: sets (in order, then one
/// `--iterate` combination), removals, `--qtrim`, replacements, appends, then
/// sorting, so that `--remove-query k --append query=k=v` replaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    /// `--set`, in order.
    pub sets: Vec<Set>,
    /// `--iterate`, in order.
    pub iterates: Vec<Iterate>,
    /// `--remove-query`.
    pub removals: Vec<String>,
    /// `--qtrim` globs.
    pub trims: Vec<String>,
    /// `--replace` (`false`) and `--replace-append` (`true`).
    pub replaces: Vec<(Pair, bool)>,
    /// `--append`.
    pub appends: Vec<Append>,
    /// `--sort-query`.
    pub sort: bool,
}

impl Edits {
    /// Whether nothing is to be changed.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.iterates.is_empty() && !self.edits_query()
    }

    /// Whether the query's pairs are to be changed.
    fn edits_query(&self) -> bool {
        !(self.removals.is_empty()
            && self.trims.is_empty()
            && self.replaces.is_empty()
            && self.appends.is_empty()
            && !self.sort)
    }

    /// Apply every change to `url`, with `combination` (one of
    /// [`combinations`]) after the sets; stops at the first value a setter rejects.
    pub fn apply(&self, url: &mut Url, combination: &[Set]) -> Result<(), Rejected> {
        for set in self.sets.iter().chain(combination) {
            set_component(url, set.component, &set.value)?;
        }
        if !self.edits_query() {
            return Ok(());
        }
        let search = url.search();
        let query = untrimmed(search.strip_prefix('?').unwrap_or(search), &self.trims);
        let mut params = match UrlSearchParams::parse(&query) {
            Ok(params) => params,
            Err(_) => return Err(Rejected::new(Component::Query, search)),
        };
        for name in &self.removals {
            params.remove_key(name);
        }
        for (Pair { name, value }, append) in &self.replaces {
            if *append || params.contains_key(name) {
                params.set(name, value);
            }
        }
        for Append { name, value } in &self.appends {
            params.append(name, value);
        }
        if self.sort {
            params.sort();
        }
        // An empty list removes the `?`, as URLSearchParams' update steps do.
        let query = params.to_string();
        url.set_search(if query.is_empty() { None } else { Some(&query) });
        Ok(())
    }
}

/// The pairs of `query` whose name, decoded, matches none of the `--qtrim`
/// globs, as they were written. Matched on our own lossy decoding: a name
/// whose bytes are not UTF-8 (`%FF`) must not reach `&str` any other way.
fn untrimmed<'q>(query: &'q str, globs: &[String]) -> Cow<'q, str> {
    if globs.is_empty() {
        return Cow::Borrowed(query);
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = form_decode_lossy(pair.split_once('=').map_or(*pair, |(name, _)| name));
            !globs.iter().any(|glob| glob_match(glob, &name))
        })
        .collect();
    Cow::Owned(kept.join("&"))
}

/// A value that a setter refused; the URL is left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The component.
    pub component: Component,
    /// The refused value.
    pub value: String,
}

impl Rejected {
    fn new(component: Component, value: &str) -> Rejected {
        Rejected {
            component,
            value: value.to_string(),
        }
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.component {
            Component::Href => "not a valid URL",
            Component::Scheme => "not a valid scheme for this URL",
            Component::Port => "invalid port number",
            Component::Host | Component::Hostname => "not a valid host for this URL",
            Component::Username | Component::Password => {
                "this URL cannot have a user name or password"
            }
            Component::Path => "this URL's path cannot be changed",
            Component::Query | Component::Fragment => "not a valid value",
        };
        write!(f, "{}={}: {why}", self.component, self.value)
    }
}

/// Change one component through its WHATWG setter, as `url.host = value` would.
///
/// Setters that the Standard lets fail silently leave the URL unchanged and
/// report it here, so that a script is told.
pub fn set_component(url: &mut Url, component: Component, value: &str) -> Result<(), Rejected> {
    let ok = match component {
        Component::Href => url.set_href(value).is_ok(),
        Component::Scheme => url.set_protocol(value).is_ok(),
        Component::Username => url.set_username(Some(value)).is_ok(),
        Component::Password => url.set_password(Some(value)).is_ok(),
        Component::Host => url.set_host(Some(value)).is_ok(),
        Component::Hostname => url.set_hostname(Some(value)).is_ok(),
        Component::Port => url.set_port(Some(value)).is_ok(),
        Component::Path => url.set_pathname(Some(value)).is_ok(),
        Component::Query => {
            url.set_search(Some(value));
            true
        }
        Component::Fragment => {
            url.set_hash(Some(value));
            true
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Rejected::new(component, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s, None).unwrap()
    }

    #[test]
    fn parses_set_and_append_arguments() {
        let set: Set = "port=8080".parse().unwrap();
        assert_eq!(set.component, Component::Port);
        assert_eq!(set.value, "8080");
        let set: Set = "search=a=b".parse().unwrap();
        assert_eq!(
            (set.component, set.value.as_str()),
            (Component::Query, "a=b")
        );
        assert!("colour=red".parse::<Set>().is_err());
        assert!("port".parse::<Set>().is_err());
        let append: Append = "query=k=v=w".parse().unwrap();
        assert_eq!((append.name.as_str(), append.value.as_str()), ("k", "v=w"));
        assert!("k=v".parse::<Append>().is_err());
    }

    #[test]
    fn sets_through_the_setters() {
        let mut u = url("http://example.com/a?x=1#f");
        set_component(&mut u, Component::Port, "8080").unwrap();
        set_component(&mut u, Component::Path, "/b c").unwrap();
        set_component(&mut u, Component::Scheme, "https").unwrap();
        assert_eq!(u.href(), "https://example.com:8080/b%20c?x=1#f");
        let err = set_component(&mut u, Component::Port, "http").unwrap_err();
        assert_eq!(err.to_string(), "port=http: invalid port number");
        assert_eq!(u.href(), "https://example.com:8080/b%20c?x=1#f");
    }

    #[test]
    fn refuses_bad_hosts() {
        let mut u = url("https://example.com/");
        assert!(set_component(&mut u, Component::Host, "xn--tešla").is_err());
        assert!(set_component(&mut u, Component::Hostname, "a b").is_err());
        assert_eq!(u.href(), "https://example.com/");
    }

    #[test]
    fn query_edits_in_order() {
        let mut u = url("http://h.example/?b=2&a=1&b=3");
        let edits = Edits {
            removals: vec!["b".into()],
            appends: vec![Append {
                name: "c d".into(),
                value: "é".into(),
            }],
            sort: true,
            ..Edits::default()
        };
        edits.apply(&mut u, &[]).unwrap();
        assert_eq!(u.href(), "http://h.example/?a=1&c+d=%C3%A9");
        let mut u = url("http://h.example/?b=2");
        let edits = Edits {
            removals: vec!["b".into()],
            ..Edits::default()
        };
        edits.apply(&mut u, &[]).unwrap();
        assert_eq!(u.href(), "http://h.example/");
    }

    #[test]
    fn trims_and_replaces_query_pairs() {
        let mut u = url("https://h.example/p?utm_source=x&id=7&utm_medium=y&UTM_x=z&q=a&q=b");
        let edits = Edits {
            trims: vec!["utm_*".into()],
            replaces: vec![
                ("q=c".parse().unwrap(), false),
                ("absent=1".parse().unwrap(), false),
                ("added=2".parse().unwrap(), true),
            ],
            ..Edits::default()
        };
        edits.apply(&mut u, &[]).unwrap();
        assert_eq!(u.href(), "https://h.example/p?id=7&UTM_x=z&q=c&added=2");
    }

    #[test]
    fn names_that_decode_to_no_utf8_are_trimmed_by_their_lossy_form() {
        // Found by the url_parse fuzz target: `%ff` decodes to a byte that is
        // not UTF-8, which ada's key iterator handed over as `&str`.
        let mut u = url("http://h.example/?%ff=1&utm_a=2&keep=3");
        let edits = Edits {
            trims: vec!["utm_*".into(), "\u{fffd}".into()],
            ..Edits::default()
        };
        edits.apply(&mut u, &[]).unwrap();
        assert_eq!(u.href(), "http://h.example/?keep=3");
        let mut u = url("d:+?%ff");
        let edits = Edits {
            trims: vec!["x*".into()],
            ..Edits::default()
        };
        edits.apply(&mut u, &[]).unwrap();
        assert_eq!(u.href(), "d:+?%FF=");
    }

    #[test]
    fn globs() {
        assert!(glob_match("utm_*", "utm_source") && glob_match("utm_*", "utm_"));
        assert!(glob_match("*id", "fbclid") && glob_match("a?c", "abc"));
        assert!(glob_match("*", "") && glob_match("a*b*c", "aXbYbc"));
        assert!(!glob_match("utm_*", "xutm_a") && !glob_match("a?c", "ac"));
        assert!(glob_match("é*", "été") && !glob_match("a", "ab"));
    }

    #[test]
    fn iterate_combinations() {
        let iterates: Vec<Iterate> = ["scheme=http https", "port=80  8080"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let all = combinations(&iterates);
        let values: Vec<Vec<&str>> = all
            .iter()
            .map(|sets| sets.iter().map(|s| s.value.as_str()).collect())
            .collect();
        assert_eq!(
            values,
            [
                ["http", "80"],
                ["http", "8080"],
                ["https", "80"],
                ["https", "8080"]
            ]
        );
        assert_eq!(combinations(&[]), [Vec::<Set>::new()]);
        assert!("port=".parse::<Iterate>().is_err());
        assert!("colour=red".parse::<Iterate>().is_err());
    }
}
