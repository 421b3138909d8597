//! Links Ada's C++ runtime (libstdc++) statically when the C++ compiler has a
//! static copy: the dynamic loader then has one large library less to find,
//! map and relocate at every start of url-parse (and of every binary that
//! links it).
//!
//! Ada's own build (the `ada-url` crate, through `cc`) still asks for the
//! shared libstdc++, but on the link line it comes after this static copy,
//! which has already resolved every C++ symbol, so `--as-needed` drops it.
//! Without a static copy (or off glibc Linux) nothing changes.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=CXX");
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.ends_with("linux-gnu") {
        return;
    }
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".to_string());
    let Ok(out) = Command::new(cxx)
        .arg("-print-file-name=libstdc++.a")
        .output()
    else {
        return;
    };
    let printed = String::from_utf8_lossy(&out.stdout);
    let archive = Path::new(printed.trim());
    // The compiler prints the bare name back when it has no such file.
    let (true, Some(dir)) = (archive.is_absolute() && archive.exists(), archive.parent()) else {
        return;
    };
    println!("cargo::rustc-link-search=native={}", dir.display());
    // Not bundled into this crate's rlib: passed to the final link, after
    // every rlib, where Ada's objects (inside `ada-url`'s rlib) need it.
    println!("cargo::rustc-link-lib=static:-bundle=stdc++");
}
