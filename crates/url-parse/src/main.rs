//! The `url-parse` binary: a thin wrapper over the library.

fn main() {
    netlens_core::main::<url_parse::UrlParse>()
}
