//! dns-lookup: the root hints parser (`--root-hints FILE`), and the trace's
//! reply classifier over any DNS message that decodes: answer, CNAME chain,
//! NXDOMAIN, NODATA, referral (glue and bailiwick checks), lame; the priming
//! reply reader; the records as output.
//!
//! Input: a first byte picking the parser (even: hints text, odd: a DNS
//! message in wire form), then the bytes it reads. For a message, the same
//! byte also picks the zone the reply is taken to come from: the question's
//! name cut to that many labels.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dns_lookup::fuzz::one(data);
});
