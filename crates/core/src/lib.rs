//! The shared core of the netlens tools.
//!
//! Every tool (`url-parse`, `subnet-calc`, `dns-lookup`, `http-get`) is a library
//! with a clap `Args` struct and a `run` function, plus a thin binary. This crate
//! holds what they share so that they all behave alike:
//!
//! - [`exit`]: the exit codes of every tool and the [`Failure`] trait that maps a
//!   tool's error type onto them;
//! - [`args`]: the flags every tool has (`--json`, `--color`);
//! - [`ctx`]: the output context a tool writes through (buffered stdout, stderr,
//!   color, JSON Lines, error reporting for batches);
//! - [`input`]: positional arguments or one input per line from stdin;
//! - [`bulk`]: many inputs at once (`-P`, `--rate`, `--unordered`): a bounded
//!   set of futures in front of a reorder window, and a token bucket;
//! - [`progress`]: the progress line of a batch on a terminal;
//! - [`redact`]: the one password mask, and masking in URLs as typed;
//! - [`select`]: which inputs a run takes (`--input-field`, `--shard`);
//! - [`table`]: comfy-table tables in one house style;
//! - [`timing`]: durations in milliseconds for phase timings;
//! - [`entry`]: the one generic `main` that parses, runs, reports and exits.

pub mod args;
pub mod bulk;
pub mod ctx;
pub mod entry;
pub mod exit;
pub mod input;
pub mod progress;
pub mod redact;
pub mod select;
pub mod table;
pub mod timing;

pub use args::{ColorChoice, CommonArgs};
pub use bulk::{ParallelArgs, Pipeline};
pub use ctx::{Ctx, Picked};
pub use entry::{Tool, execute, main};
pub use exit::{EXIT_CODES_HELP, ErrorOut, ExitCode, Failure};
pub use progress::Progress;
