//! End-to-end tests of the netlens binaries: the dispatcher and, through links
//! named after them, each tool. One test binary; one module per topic.

mod util;

mod dispatch;
mod dns;
mod dnssec;
mod http;
mod journey;
mod scale;
mod subnet;
mod url;
