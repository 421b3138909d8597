//! Run the loopback DNS hierarchy in the foreground, for trying resolvers by
//! hand (`dig`, `dns-lookup`) and for whole-process benchmarks.
//!
//! Prints the port and the root hints path, then serves until killed or until
//! the number of seconds given as the first argument (default 600) has passed.

use std::time::Duration;

use netlens_sandbox::dns::Hierarchy;

fn main() -> std::io::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let hierarchy = Hierarchy::start()?;
    println!("port {}", hierarchy.port());
    println!("hints {}", hierarchy.root_hints().display());
    for server in hierarchy.servers() {
        println!(
            "server {} {} {}",
            server.addr,
            server.name,
            server.zones.join(" ")
        );
    }
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}
