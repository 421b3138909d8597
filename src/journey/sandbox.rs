//! `--sandbox`: the built-in loopback internet, started in-process.
//!
//! The DNS hierarchy of crates/sandbox (a root, TLDs and the textbook's zones,
//! each server on its own 127.53.x.y address) sits behind the sandbox's
//! caching recursive server, the stub resolver's nearest DNS server; one web server on 127.0.0.1 answers every request. The
//! zones give documentation addresses (192.0.2.10, RFC 5737) where nobody
//! listens, so the connection is sent to the web server instead, the way
//! curl's `--connect-to` does: the request stays the one for the URL.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use http_get::{ResolveArg, Trust};
use netlens_sandbox::dns::Hierarchy;
use netlens_sandbox::dns::recursive::Recursive;
use netlens_sandbox::web;

/// The running sandbox: stopped (and its files removed) when dropped.
pub struct Sandbox {
    /// The nearest DNS server: a caching recursive server (dropped first).
    pub recursive: Recursive,
    /// The DNS hierarchy.
    pub dns: Hierarchy,
    /// The web server (HTTPS for an https URL).
    pub web: web::Server,
    /// The sandbox CA's certificate, written for an https URL.
    ca_file: Option<PathBuf>,
}

impl Sandbox {
    /// Start the DNS hierarchy and a web server on 127.0.0.1 for `host`:
    /// plain HTTP, or HTTPS with a certificate for `host` from a CA made now.
    pub fn start(host: &str, https: bool) -> std::io::Result<Sandbox> {
        let dns = Hierarchy::start()?;
        let recursive = Recursive::start(dns.root_hints(), dns.port())?;
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        if !https {
            let web = web::serve(loopback)?;
            return Ok(Sandbox {
                recursive,
                dns,
                web,
                ca_file: None,
            });
        }
        let pki = web::pki::Pki::generate(&[host])?;
        let web = web::serve_https(loopback, &pki)?;
        // Next to the hierarchy's root hints, so that it goes when the hierarchy does.
        let ca_file = ca_path(dns.root_hints());
        std::fs::write(&ca_file, pki.ca_pem())?;
        Ok(Sandbox {
            recursive,
            dns,
            web,
            ca_file: Some(ca_file),
        })
    }

    /// Where the web server listens.
    pub fn web_addr(&self) -> SocketAddr {
        self.web.addr()
    }

    /// The certificates to trust: the sandbox CA for https, else the system's
    /// (never loaded for plain http).
    pub fn trust(&self) -> Trust {
        match &self.ca_file {
            Some(path) => Trust::File(path.clone()),
            None => Trust::System,
        }
    }

    /// The override that sends the connection for `host:port` to the web server.
    pub fn connect_to(&self, host: &str, port: u16) -> ResolveArg {
        ResolveArg::connect_to(host, port, self.web_addr())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(path) = &self.ca_file {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The CA file's path, in the directory of the root hints.
fn ca_path(hints: &Path) -> PathBuf {
    hints.with_file_name("sandbox-ca.pem")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_sandbox_writes_its_ca_and_removes_it() {
        let sandbox = Sandbox::start("www.lab.glasscom.com", true).unwrap();
        let Trust::File(path) = sandbox.trust() else {
            panic!("https needs the sandbox CA");
        };
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("CERTIFICATE")
        );
        let moved = sandbox.connect_to("www.lab.glasscom.com", 443);
        assert_eq!(moved.socket_addr(), sandbox.web_addr());
        assert!(sandbox.web_addr().ip().is_loopback());
        drop(sandbox);
        assert!(!path.exists());
    }
}
