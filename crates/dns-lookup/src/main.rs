//! The `dns-lookup` binary: a thin wrapper over the library.

fn main() {
    netlens_core::main::<dns_lookup::DnsLookup>()
}
