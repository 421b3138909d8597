//! The inputs of the commands that take lists (`aggregate`, `common`, `diff`,
//! `free --used`): arguments (`A - B` triples joined), `@FILE` for a file's
//! lines and `-` for stdin's, each line a network, range or address.

use netlens_core::Ctx;
use netlens_core::input::lines;

use crate::error::Error;
use crate::parse::join_ranges;
use crate::sets::{Aggregator, Set};

/// What to do with a bad entry: give up (`Err`) or go on (`Ok`).
pub type OnBad<'a> = &'a mut dyn FnMut(&mut Ctx, Error) -> Result<(), Error>;

/// Read every entry of `args` into `aggregator`; a bad entry goes to `on_bad`.
pub fn feed(
    ctx: &mut Ctx,
    args: &[String],
    aggregator: &mut Aggregator,
    on_bad: OnBad<'_>,
) -> Result<(), Error> {
    for arg in join_ranges(args) {
        if arg == "-" {
            let bytes = ctx.read_stdin()?;
            for line in lines(&bytes) {
                if let Err(error) = aggregator.push_line(line) {
                    on_bad(ctx, error)?;
                }
            }
        } else if let Some(path) = arg.strip_prefix('@') {
            let bytes = std::fs::read(path).map_err(|source| Error::File {
                path: path.to_string(),
                source,
            })?;
            for line in lines(&bytes) {
                if let Err(error) = aggregator.push_line(line) {
                    let source = Box::new(error);
                    let path = path.to_string();
                    on_bad(ctx, Error::Entry { path, source })?;
                }
            }
        } else if let Err(error) = aggregator.push_line(arg.as_bytes()) {
            on_bad(ctx, error)?;
        }
    }
    Ok(())
}

/// Read a whole list as a set; the first bad entry is the error.
pub fn read(ctx: &mut Ctx, args: &[String]) -> Result<Set, Error> {
    let mut aggregator = Aggregator::new();
    feed(ctx, args, &mut aggregator, &mut |_, error| Err(error))?;
    Ok(aggregator.finish_set())
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;

    fn list(args: &[&str], stdin: &str) -> Result<Vec<String>, String> {
        let (mut ctx, _) = Ctx::capture("subnet-calc", &CommonArgs::default(), stdin);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let set = read(&mut ctx, &args).map_err(|e| e.to_string())?;
        Ok(set.networks().iter().map(ToString::to_string).collect())
    }

    #[test]
    fn arguments_files_and_stdin() {
        let dir = std::env::temp_dir().join(format!("subnet-calc-lists-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.txt");
        std::fs::write(&file, "# used\n10.0.0.0/25\n\n10.0.0.128 - 10.0.0.255\r\n").unwrap();
        let at = format!("@{}", file.display());
        assert_eq!(list(&[&at], "").unwrap(), ["10.0.0.0/24"]);
        assert_eq!(
            list(&["10.0.1.0", "-", "10.0.1.255", "-"], "::1\n").unwrap(),
            ["10.0.1.0/24", "::1/128"]
        );
        std::fs::write(&file, "10.0.0.0/8\nnonsense\n").unwrap();
        let err = list(&[&at], "").unwrap_err();
        assert!(
            err.ends_with("a.txt: address nonsense: not an IPv4 or IPv6 address"),
            "{err}"
        );
        let missing = format!("@{}", dir.join("missing.txt").display());
        assert!(list(&[&missing], "").unwrap_err().contains("missing.txt: "));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
