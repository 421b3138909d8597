//! dns-lookup --validate: the trust anchor parser (`--trust-anchor FILE`), and
//! the validator over the records of one response: RRSIG checks with every
//! key the response holds, NSEC/NSEC3 denial proofs, the walk down the chain.
//!
//! Input: a first byte picking the parser (even: trust anchor text, odd: a DNS
//! message in wire form, validated with its own DNSKEYs as the anchor and its
//! own records as the answer to every DS and DNSKEY look-up), then the bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dns_lookup::fuzz::dnssec(data);
});
