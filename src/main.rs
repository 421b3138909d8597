//! The `netlens` binary: the dispatcher and, through links named like the
//! tools, every tool (see the library for how it picks).

fn main() {
    std::process::exit(netlens::run(std::env::args_os().collect()).code())
}
