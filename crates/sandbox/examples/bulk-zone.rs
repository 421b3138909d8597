//! Serve `bulk.test.` (every name below it answered) in the foreground, for
//! bulk runs by hand (`seq -f 'name%g.bulk.test' 1 100000 | dns-lookup -P 256
//! --server ADDR --port PORT --json`).
//!
//! Listens on the address given as the first argument (default
//! 127.0.0.1:5300) and serves until killed or until the number of seconds
//! given as the second argument (default 600) has passed.

use std::net::SocketAddr;
use std::time::Duration;

use netlens_sandbox::dns::bulk::BulkZone;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 5300)));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let zone = BulkZone::start_on(addr)?;
    println!("bulk.test. on {}", zone.addr());
    std::thread::sleep(Duration::from_secs(seconds));
    println!("answered {}", zone.answered());
    Ok(())
}
