//! `netlens-sandbox`: an offline loopback "internet" for netlens.
//!
//! Real servers on loopback addresses (127.0.0.0/8), started in-process by
//! tests, benches and examples, so that every tool can be exercised without
//! leaving the machine:
//!
//! - [`dns`]: the DNS hierarchy: authoritative servers for a root, TLDs and the
//!   textbook's zones, plus the hard cases a resolver must survive;
//! - [`web`]: HTTP and HTTPS servers (hyper, rustls, a CA made at run time with
//!   rcgen), a CONNECT proxy, and raw-socket servers that misbehave on purpose.

pub mod dns;
pub mod web;
