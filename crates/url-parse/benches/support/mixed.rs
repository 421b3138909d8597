//! A deterministic generator of mixed URLs (the kind a crawler's log holds), for
//! the benches and for whole-process measurements (`examples/mixed-urls.rs`).

/// `count` URLs, one per entry, the same for the same `count` on every run.
pub fn mixed_urls(count: usize) -> Vec<String> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    (0..count).map(|_| one(&mut rng)).collect()
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const HOSTS: &[&str] = &[
    "www.example.com",
    "example.org",
    "news.bbc.co.uk",
    "www.cyber.co.kr",
    "api.github.com",
    "static.cdn.example.net",
    "shop.example.de",
    "192.168.1.20",
    "[2001:db8::1]",
    "xn--fa-hia.example",
    "MiXeD.Example.COM",
    "blog.example.io",
];
const WORDS: &[&str] = &[
    "index.html",
    "docs",
    "api",
    "v2",
    "users",
    "search",
    "images",
    "a%20b",
    "file1.html",
    "style.css",
    "2024",
    "about",
    "café",
    "read-me.txt",
];
const KEYS: &[&str] = &["q", "page", "lang", "id", "utm_source", "sort"];
const VALUES: &[&str] = &["1", "en", "rust+url", "a%26b", "x", "42", "hello%20world"];

fn one(rng: &mut XorShift) -> String {
    let mut url = String::with_capacity(96);
    match rng.below(20) {
        0 => return format!("mailto:user{}@example.com?subject=hi", rng.below(100)),
        1 => return format!("ftp://ftp.example.org/pub/{}", rng.pick(WORDS)),
        2 => return format!("file:///home/user/{}", rng.pick(WORDS)),
        3 => return format!("data:text/plain;base64,SGVsbG8{}", rng.below(10)),
        4 => url.push_str("http://"),
        _ => url.push_str("https://"),
    }
    if rng.below(16) == 0 {
        url.push_str("user:secret@");
    }
    url.push_str(rng.pick(HOSTS));
    if rng.below(8) == 0 {
        url.push_str(":8080");
    }
    for _ in 0..rng.below(5) {
        url.push('/');
        url.push_str(rng.pick(WORDS));
    }
    if rng.below(4) == 0 {
        url.push('/');
    }
    for i in 0..rng.below(4) {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(rng.pick(KEYS));
        url.push('=');
        url.push_str(rng.pick(VALUES));
    }
    if rng.below(6) == 0 {
        url.push_str("#section");
    }
    url
}
