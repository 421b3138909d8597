//! Run the sandbox web servers in the foreground, for trying http-get by hand
//! and for whole-process benchmarks against curl:
//!
//! ```text
//! cargo run -p netlens-sandbox --example web-server [SECONDS]
//! ```
//!
//! Prints where each server listens (and writes the CA to `sandbox-ca.pem` in
//! the current directory), then serves for SECONDS (default 600).

use std::net::IpAddr;
use std::time::Duration;

use netlens_sandbox::web::{self, pki::Pki, scripted::Script};

fn main() -> std::io::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let ip: IpAddr = [127, 0, 0, 1].into();
    let http = web::serve(ip)?;
    let pki = Pki::generate(web::pki::DEFAULT_NAMES)?;
    std::fs::write("sandbox-ca.pem", pki.ca_pem())?;
    let https = web::serve_https(ip, &pki)?;
    let proxy = web::proxy::start(ip)?;
    println!("http   {}", http.url("/"));
    println!("https  {}  (CA in sandbox-ca.pem)", https.url("/"));
    println!("proxy  {}", proxy.url());
    for script in [
        Script::Truncated,
        Script::GarbageStatus,
        Script::HugeHeader,
        Script::ManyHeaders,
        Script::Drip,
        Script::BadChunk,
        Script::CloseDelimited,
        Script::Trailers,
        Script::RawEcho,
        Script::CloseAfterResponse,
        Script::H2GoAway,
        Script::H2Reset,
        Script::H2FlowControl,
        Script::H2BadFrame,
    ] {
        println!(
            "{:<15} http://{}/",
            format!("{script:?}"),
            web::scripted::start(ip, script)?
        );
    }
    println!("refused        http://{}/", web::scripted::refused(ip)?);
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}
