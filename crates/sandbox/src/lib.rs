//! An offline loopback "internet" for netlens: servers on 127.0.0.0/8 that the
//! tests, the benches and `netlens journey --sandbox` talk to instead of the
//! real network.
//!
//! - [`web`]: HTTP and HTTPS servers (hyper, rustls, a CA made at run time with
//!   rcgen), a CONNECT proxy, and raw-socket servers that misbehave on purpose.

pub mod web;
