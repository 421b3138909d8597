//! Run the signed loopback DNS hierarchy in the foreground, for trying
//! validators by hand (`dns-lookup --validate`, `delv`) and for benchmarks.
//!
//! Prints the port, the root hints, the trust anchor and the stub server, then
//! serves until killed or until the number of seconds given as the first
//! argument (default 600) has passed.

use std::time::Duration;

use netlens_sandbox::dns::signed::SignedHierarchy;

fn main() -> std::io::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let hierarchy = SignedHierarchy::start()?;
    println!("port {}", hierarchy.port());
    println!("hints {}", hierarchy.root_hints().display());
    println!("anchor {}", hierarchy.trust_anchor().display());
    println!("resolver {}", hierarchy.resolver());
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}
