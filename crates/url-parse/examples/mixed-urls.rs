//! Print N mixed URLs (default 1,000,000), one per line, for whole-process
//! measurements: `cargo run --release -p url-parse --example mixed-urls > urls.txt`
//! then `url-parse --json < urls.txt > /dev/null`.

use std::io::{BufWriter, Write};

#[path = "../benches/support/mixed.rs"]
mod mixed;

fn main() -> std::io::Result<()> {
    let count = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for url in mixed::mixed_urls(count) {
        writeln!(out, "{url}")?;
    }
    out.flush()
}
