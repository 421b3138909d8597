//! The limit for url-parse's batch mode: Ada's bare parse-and-print loop over
//! stdin (one URL a line, href out), with the same buffering as url-parse.
//! `ada-loop < urls.txt > /dev/null` against `url-parse --json < urls.txt`.

use std::io::{BufRead, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        if let Ok(url) = ada_url::Url::parse(line.as_str(), None) {
            out.write_all(url.href().as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}
