//! The `http-get` binary: a thin wrapper over the library.

fn main() {
    netlens_core::main::<http_get::HttpGet>()
}
