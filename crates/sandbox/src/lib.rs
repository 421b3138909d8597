//! `netlens-sandbox`: an offline loopback "internet" for netlens.
//!
//! Real servers on loopback addresses, started in-process by tests, benches
//! and `netlens journey --sandbox`, so that every tool can be exercised without
//! leaving the machine. [`dns`] is the DNS hierarchy: authoritative servers for
//! a root, TLDs and the textbook's zones, plus the hard cases a resolver must
//! survive.

pub mod dns;
