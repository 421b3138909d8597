//! Run the loopback DNS hierarchy in the foreground, for trying resolvers by
//! hand (`dig`, `dns-lookup`) and for whole-process benchmarks.
//!
//! Prints the port and the root hints path, then serves until killed or until
//! the number of seconds given as the first argument (default 600) has passed.
//! Also serves DNS over TLS and over HTTPS for the `lab.glasscom.com.` server
//! on 127.0.0.1, and prints their ports and the file of their CA.

use std::time::Duration;

use netlens_sandbox::dns::encrypted::Encrypted;
use netlens_sandbox::dns::{Hierarchy, zones};

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
    let encrypted = Encrypted::start(hierarchy.socket(zones::LAB))?;
    let ca = hierarchy.root_hints().with_file_name("dns-ca.pem");
    std::fs::write(&ca, encrypted.ca_pem())?;
    println!("dot {}", encrypted.dot());
    println!("doh {}", encrypted.doh());
    println!("cacert {}", ca.display());
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}
