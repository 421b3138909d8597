//! The output context a tool writes through.
//!
//! Libraries never print directly: they write to [`Ctx::out`] (buffered stdout:
//! results, tables, JSON Lines) and [`Ctx::err`] (stderr: diagnostics, traces,
//! progress). Tests build a context over in-memory buffers with [`Ctx::capture`].

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;

use crate::args::CommonArgs;
use crate::exit::{ErrorOut, ExitCode, Failure};
use crate::input;
use crate::select::{FieldError, Selected, Selection};

/// Set to `1` to make the tools treat stdout and stderr as terminals (color in
/// "auto" mode, progress bars), so that tests can see what a person would.
pub const PRETEND_TTY_ENV: &str = "NETLENS_PRETEND_TTY";

/// Size of the stdout buffer: large, so that batches write in few system calls.
const STDOUT_BUFFER: usize = 64 * 1024;

/// Where a tool writes, and how (JSON or human, color or not).
pub struct Ctx {
    tool: &'static str,
    json: bool,
    color_out: bool,
    color_err: bool,
    stdout_is_terminal: bool,
    stderr_is_terminal: bool,
    stdin_is_terminal: bool,
    out: Box<dyn Write>,
    /// One JSON line on its way to `out` (serde's many small writes land here,
    /// not in the dynamic writer), reused from line to line.
    json_line: Vec<u8>,
    err: Box<dyn Write>,
    stdin: Option<Box<dyn BufRead>>,
    out_closed: Rc<Cell<bool>>,
    input_file: Option<PathBuf>,
    selection: Selection,
}

impl Ctx {
    /// A context over the process's real stdin, stdout and stderr.
    pub fn stdio(tool: &'static str, common: &CommonArgs) -> Ctx {
        let pretend = std::env::var_os(PRETEND_TTY_ENV).is_some_and(|v| v == "1");
        let stdout_is_terminal = pretend || io::stdout().is_terminal();
        let stderr_is_terminal = pretend || io::stderr().is_terminal();
        let out_closed = Rc::new(Cell::new(false));
        let out = PipeWatch {
            inner: BufWriter::with_capacity(STDOUT_BUFFER, io::stdout().lock()),
            closed: Rc::clone(&out_closed),
        };
        Ctx {
            tool,
            json: common.json,
            color_out: common.color.enabled(stdout_is_terminal),
            color_err: common.color.enabled(stderr_is_terminal),
            stdout_is_terminal,
            stderr_is_terminal,
            stdin_is_terminal: io::stdin().is_terminal(),
            out: Box::new(out),
            json_line: Vec::new(),
            err: Box::new(io::stderr()),
            stdin: Some(Box::new(BufReader::with_capacity(
                STDOUT_BUFFER,
                io::stdin(),
            ))),
            out_closed,
            input_file: common.input_file.clone(),
            selection: common.selection(),
        }
    }

    /// A context that reads `stdin` and writes into memory, for tests: no
    /// terminal, no color unless `--color always`.
    pub fn capture(tool: &'static str, common: &CommonArgs, stdin: &str) -> (Ctx, Captured) {
        let captured = Captured::default();
        let ctx = Ctx {
            tool,
            json: common.json,
            color_out: common.color.enabled(false),
            color_err: common.color.enabled(false),
            stdout_is_terminal: false,
            stderr_is_terminal: false,
            stdin_is_terminal: false,
            out: Box::new(SharedBuf(Rc::clone(&captured.out))),
            json_line: Vec::new(),
            err: Box::new(SharedBuf(Rc::clone(&captured.err))),
            stdin: Some(Box::new(io::Cursor::new(stdin.as_bytes().to_vec()))),
            out_closed: Rc::new(Cell::new(false)),
            input_file: common.input_file.clone(),
            selection: common.selection(),
        };
        (ctx, captured)
    }

    /// A context like this one (tool, JSON, color) that writes into memory,
    /// for one input of a parallel batch: its output is copied to this
    /// context in the input's turn ([`Captured::write_to`]). It has no stdin
    /// and draws no progress bars.
    pub fn buffered(&self) -> (Ctx, Captured) {
        let captured = Captured::default();
        let ctx = Ctx {
            tool: self.tool,
            json: self.json,
            color_out: self.color_out,
            color_err: self.color_err,
            stdout_is_terminal: self.stdout_is_terminal,
            stderr_is_terminal: false,
            stdin_is_terminal: true,
            out: Box::new(SharedBuf(Rc::clone(&captured.out))),
            json_line: Vec::new(),
            err: Box::new(SharedBuf(Rc::clone(&captured.err))),
            stdin: None,
            out_closed: Rc::new(Cell::new(false)),
            input_file: None,
            selection: Selection::default(),
        };
        (ctx, captured)
    }

    /// The tool's name, as it prefixes error lines (`subnet-calc: ...`).
    pub fn tool(&self) -> &'static str {
        self.tool
    }

    /// Whether `--json` was given.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Whether to color stdout.
    pub fn color(&self) -> bool {
        self.color_out
    }

    /// Whether to color stderr.
    pub fn color_err(&self) -> bool {
        self.color_err
    }

    /// Whether stdout is a terminal (or pretends to be, see [`PRETEND_TTY_ENV`]).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_is_terminal
    }

    /// Whether stderr is a terminal: progress bars are drawn only then.
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_is_terminal
    }

    /// Whether stdin is a terminal: tools read it implicitly only when it is not.
    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_is_terminal
    }

    /// `--input-file`, when given.
    pub fn input_file(&self) -> Option<&Path> {
        self.input_file.as_deref()
    }

    /// Whether every input line is taken (no `--input-field`, no `--shard`).
    pub fn takes_every_line(&self) -> bool {
        self.selection.is_all()
    }

    /// Read all of stdin at once, for bulk input to be split with
    /// [`input::lines`] without a copy or allocation per line. Stdin is read
    /// once: later calls, and [`Ctx::for_each_input`] afterwards, get nothing
    /// from it.
    pub fn read_stdin(&mut self) -> io::Result<Vec<u8>> {
        self.read_whole(None)
    }

    /// Buffered stdout, for results.
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Stderr, for diagnostics, traces and progress.
    pub fn err(&mut self) -> &mut dyn Write {
        &mut self.err
    }

    /// Whether stdout was closed by its reader (a broken pipe): the run should
    /// stop quietly and exit with success, as `head` expects.
    pub fn output_closed(&self) -> bool {
        self.out_closed.get()
    }

    /// Write one JSON object and a newline to stdout (one line of JSON Lines).
    pub fn emit_json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.json_line.clear();
        serde_json::to_writer(&mut self.json_line, value).map_err(io::Error::from)?;
        self.json_line.push(b'\n');
        self.out.write_all(&self.json_line)
    }

    /// Print `<tool>: <message>` on stderr.
    pub fn error_line(&mut self, message: &dyn std::fmt::Display) {
        // Stderr failing is not worth failing the run over: there is nowhere left to say it.
        let _ = writeln!(self.err, "{}: {message}", self.tool);
    }

    /// Report a failed input of a batch: the error line on stderr and, with
    /// `--json`, `{"input": ..., "error": {"kind": ..., "message": ...}}` on stdout
    /// in the input's place. Returns the input's exit code.
    pub fn report(&mut self, input: &str, error: &dyn Failure) -> io::Result<ExitCode> {
        self.error_line(&error);
        if self.json {
            let object = ErrorObject {
                input,
                error: ErrorOut::of(error),
            };
            self.emit_json(&object)?;
        }
        Ok(error.exit_code())
    }

    /// Run `each` on every input: the positional `args`, where `-` (or no
    /// argument at all, when stdin is not a terminal) stands for stdin, one input
    /// per line, blank lines and `#` comments skipped; then the lines of
    /// `--input-file`. Lines are JSON objects under `--input-field` (the input is
    /// the field), and `--shard` keeps only the inputs of one shard
    /// ([`crate::select`]).
    ///
    /// A failed input is reported in its place ([`Ctx::report`]) and the run goes
    /// on; the result is the highest exit code among the inputs. Only a closed
    /// stdout stops the batch early.
    pub fn for_each_input<E>(
        &mut self,
        args: &[String],
        mut each: impl FnMut(&mut Ctx, &str) -> Result<ExitCode, E>,
    ) -> Result<ExitCode, E>
    where
        E: Failure + From<io::Error>,
    {
        self.for_each_picked(args, |ctx, picked| match picked {
            Picked::Input(input) => each(ctx, input),
            Picked::Unreadable(bad) => Ok(bad.report(ctx)?),
        })
    }

    /// Every input as [`Ctx::for_each_input`] finds them, but a line that
    /// `--input-field` cannot read is handed to `each` too, to be reported in
    /// its turn: what a parallel batch needs to keep such a line in its place.
    pub fn for_each_picked<E>(
        &mut self,
        args: &[String],
        mut each: impl FnMut(&mut Ctx, Picked<'_>) -> Result<ExitCode, E>,
    ) -> Result<ExitCode, E>
    where
        E: Failure + From<io::Error>,
    {
        let selection = self.selection.clone();
        let mut worst = ExitCode::Success;
        let mut run_one = |ctx: &mut Ctx, raw: &str, is_line: bool| -> Result<(), E> {
            let picked = if is_line {
                selection.line(raw)
            } else {
                selection.argument(raw)
            };
            let input = match picked {
                Selected::Take(input) => input,
                Selected::Skip => return Ok(()),
                Selected::Fail(error) => {
                    let bad = Unreadable {
                        raw: raw.to_string(),
                        error,
                    };
                    worst = worst.max(each(ctx, Picked::Unreadable(bad))?);
                    return Ok(());
                }
            };
            match each(ctx, Picked::Input(&input)) {
                Ok(code) => worst = worst.max(code),
                Err(error) if ctx.output_closed() => return Err(error),
                Err(error) => worst = worst.max(ctx.report(&input, &error)?),
            }
            Ok(())
        };
        if !self.has_inputs(args) {
            return Ok(ExitCode::Usage);
        }
        for arg in args {
            if arg == "-" {
                self.each_line(None, &mut |ctx, line| run_one(ctx, line, true))?;
            } else {
                run_one(self, arg, false)?;
            }
        }
        let source = self.implicit_source(args);
        if let Some(source) = source {
            self.each_line(source.as_deref(), &mut |ctx, line| run_one(ctx, line, true))?;
        }
        Ok(worst)
    }

    /// Every input, as [`Ctx::for_each_input`] finds them, handed to `each`
    /// as bytes, for bulk input (a million prefixes for `subnet-calc
    /// aggregate`): stdin and `--input-file` are read whole and split in
    /// place, without a copy, UTF-8 check or allocation per line. A line
    /// that `--input-field` cannot pick is reported on stderr; the run goes
    /// on and the returned code says so. `None` when there is no input at all
    /// (said on stderr).
    pub fn for_each_input_bytes(
        &mut self,
        args: &[String],
        mut each: impl FnMut(&mut Ctx, &[u8]),
    ) -> io::Result<Option<ExitCode>> {
        if !self.has_inputs(args) {
            return Ok(None);
        }
        let mut worst = ExitCode::Success;
        for arg in args {
            if arg == "-" {
                let bytes = self.read_whole(None)?;
                worst = worst.max(self.each_picked_line(&bytes, &mut each));
            } else if self.selection.argument(arg) != Selected::Skip {
                each(self, arg.as_bytes());
            }
        }
        if let Some(source) = self.implicit_source(args) {
            let bytes = self.read_whole(source.as_deref())?;
            worst = worst.max(self.each_picked_line(&bytes, &mut each));
        }
        Ok(Some(worst))
    }

    /// Whether the run has inputs; says why not when it has none (no
    /// arguments, no `--input-file`, and stdin a terminal).
    fn has_inputs(&mut self, args: &[String]) -> bool {
        let none = args.is_empty() && self.input_file.is_none() && self.stdin_is_terminal;
        if none {
            self.error_line(
                &"no input: give it as arguments, as lines on stdin or with --input-file",
            );
        }
        !none
    }

    /// Where inputs come from besides the arguments: `--input-file` (`None`
    /// inside for `-`, stdin), or stdin when there are no arguments at all.
    fn implicit_source(&self, args: &[String]) -> Option<Option<PathBuf>> {
        match &self.input_file {
            Some(path) if path.as_os_str() == "-" => Some(None),
            Some(path) => Some(Some(path.clone())),
            None if args.is_empty() => Some(None),
            None => None,
        }
    }

    /// Call `each` for every input line of `file`, or of stdin when `None`
    /// (stdin is read once: a second `-` reads nothing).
    fn each_line<E: From<io::Error>>(
        &mut self,
        file: Option<&Path>,
        each: &mut dyn FnMut(&mut Ctx, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut reader: Box<dyn BufRead> = match file {
            Some(path) => Box::new(BufReader::with_capacity(
                STDOUT_BUFFER,
                File::open(path).map_err(|error| input_file_error(path, error))?,
            )),
            None => match self.stdin.take() {
                Some(stdin) => stdin,
                None => return Ok(()),
            },
        };
        let mut lines = input::Lines::new(&mut reader);
        while let Some(line) = lines.next_input()? {
            each(self, &line)?;
        }
        Ok(())
    }

    /// All of `file`, or of stdin when `None` (read once).
    fn read_whole(&mut self, file: Option<&Path>) -> io::Result<Vec<u8>> {
        if let Some(path) = file {
            return std::fs::read(path).map_err(|error| input_file_error(path, error));
        }
        let mut bytes = Vec::new();
        if let Some(mut stdin) = self.stdin.take() {
            stdin.read_to_end(&mut bytes)?;
        }
        Ok(bytes)
    }

    /// Hand every input line of `bytes` that the selection takes to `each`.
    fn each_picked_line(
        &mut self,
        bytes: &[u8],
        each: &mut impl FnMut(&mut Ctx, &[u8]),
    ) -> ExitCode {
        if self.selection.is_all() {
            input::lines(bytes).for_each(|line| each(self, line));
            return ExitCode::Success;
        }
        let selection = self.selection.clone();
        let mut worst = ExitCode::Success;
        for line in input::lines(bytes) {
            let line = String::from_utf8_lossy(line);
            match selection.line(&line) {
                Selected::Take(input) => each(self, input.as_bytes()),
                Selected::Skip => {}
                Selected::Fail(error) => {
                    self.error_line(&format_args!("{line}: {error}"));
                    worst = worst.max(error.exit_code());
                }
            }
        }
        worst
    }

    /// Flush stdout.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    input: &'a str,
    error: ErrorOut,
}

/// An input file that cannot be read, named in the error.
fn input_file_error(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("input file {}: {error}", path.display()),
    )
}

/// A writer that notes when its reader has gone away (EPIPE).
struct PipeWatch<W> {
    inner: W,
    closed: Rc<Cell<bool>>,
}

impl<W: Write> PipeWatch<W> {
    fn watch<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed.set(true);
        }
        result
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.watch(result)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let result = self.inner.write_all(buf);
        self.watch(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.watch(result)
    }
}

/// One input of a batch, as [`Ctx::for_each_picked`] hands it out.
pub enum Picked<'a> {
    /// The input, to run.
    Input(&'a str),
    /// A line that `--input-field` cannot read.
    Unreadable(Unreadable),
}

/// A line that `--input-field` cannot read, and why.
#[derive(Debug)]
pub struct Unreadable {
    raw: String,
    error: FieldError,
}

impl Unreadable {
    /// Report it as [`Ctx::report`] does (error line; JSON error object in
    /// its place); returns its exit code.
    pub fn report(&self, ctx: &mut Ctx) -> io::Result<ExitCode> {
        ctx.report(&self.raw, &self.error)
    }
}

/// What a [`Ctx::capture`] context wrote, for tests.
#[derive(Default, Clone)]
pub struct Captured {
    out: Rc<RefCell<Vec<u8>>>,
    err: Rc<RefCell<Vec<u8>>>,
}

impl Captured {
    /// Everything written to stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.borrow()).into_owned()
    }

    /// Everything written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.err.borrow()).into_owned()
    }

    /// Copy what was written to `ctx`'s stdout and stderr, and forget it.
    pub fn write_to(&self, ctx: &mut Ctx) -> io::Result<()> {
        ctx.out().write_all(&self.out.take())?;
        ctx.err().write_all(&self.err.take())
    }
}

struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Odd(String);

    impl std::error::Error for Odd {}

    impl std::fmt::Display for Odd {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}: not even", self.0)
        }
    }

    impl From<io::Error> for Odd {
        fn from(e: io::Error) -> Self {
            Odd(e.to_string())
        }
    }

    impl Failure for Odd {
        fn exit_code(&self) -> ExitCode {
            ExitCode::Usage
        }
        fn kind(&self) -> &'static str {
            "odd"
        }
    }

    fn check(ctx: &mut Ctx, input: &str) -> Result<ExitCode, Odd> {
        let n: u32 = input.parse().map_err(|_| Odd(input.to_string()))?;
        if n % 2 == 1 {
            return Err(Odd(input.to_string()));
        }
        writeln!(ctx.out(), "{n}")?;
        Ok(ExitCode::Success)
    }

    #[test]
    fn batch_reports_failures_in_place_and_goes_on() {
        let common = CommonArgs::default();
        let (mut ctx, captured) = Ctx::capture("t", &common, "");
        let args = ["2", "3", "4"].map(String::from);
        let code = ctx.for_each_input(&args, check).unwrap();
        assert_eq!(code, ExitCode::Usage);
        assert_eq!(captured.stdout(), "2\n4\n");
        assert_eq!(captured.stderr(), "t: 3: not even\n");
    }

    #[test]
    fn json_batch_puts_error_objects_in_place() {
        let common = CommonArgs {
            json: true,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("t", &common, "2\n\n# note\n 5 \n6\n");
        let code = ctx.for_each_input(&[], check).unwrap();
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<&str> = captured.stdout().leak().lines().collect();
        assert_eq!(lines.len(), 3);
        let error: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(error["input"], "5");
        assert_eq!(error["error"]["kind"], "odd");
        assert_eq!(error["error"]["message"], "5: not even");
    }

    /// Every input of a bulk read, as owned text.
    fn bulk(ctx: &mut Ctx, args: &[String]) -> (Vec<String>, Option<ExitCode>) {
        let mut seen = Vec::new();
        let code = ctx
            .for_each_input_bytes(args, |_, line| {
                seen.push(String::from_utf8_lossy(line).into_owned());
            })
            .unwrap();
        (seen, code)
    }

    #[test]
    fn bulk_input_reads_stdin_whole_once() {
        let (mut ctx, _) = Ctx::capture("t", &CommonArgs::default(), "4\n\n6\n");
        assert!(!ctx.stdin_is_terminal());
        let args = ["2", "-", "-"].map(String::from);
        assert_eq!(
            bulk(&mut ctx, &args),
            (
                vec!["2".into(), "4".into(), "6".into()],
                Some(ExitCode::Success)
            )
        );
    }

    #[test]
    fn input_file_lines_follow_the_arguments() {
        let dir = std::env::temp_dir().join(format!("netlens-core-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("inputs.txt");
        std::fs::write(&file, "6\n# skipped\n7\n").unwrap();
        let common = CommonArgs {
            input_file: Some(file.clone()),
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("t", &common, "100\n");
        let code = ctx.for_each_input(&["2".to_string()], check).unwrap();
        assert_eq!(code, ExitCode::Usage);
        assert_eq!(captured.stdout(), "2\n6\n");
        assert_eq!(captured.stderr(), "t: 7: not even\n");
        let (mut ctx, _) = Ctx::capture("t", &common, "100\n");
        assert_eq!(bulk(&mut ctx, &[]).0, ["6", "7"]);

        let missing = CommonArgs {
            input_file: Some(dir.join("absent.txt")),
            ..CommonArgs::default()
        };
        let (mut ctx, _) = Ctx::capture("t", &missing, "");
        let error = ctx.for_each_input(&[], check).unwrap_err();
        assert!(error.0.starts_with("input file "), "{}", error.0);
        assert!(error.0.contains("absent.txt"), "{}", error.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn input_field_picks_from_json_lines_and_fails_in_place() {
        let common = CommonArgs {
            json: true,
            input_field: Some("n".into()),
            ..CommonArgs::default()
        };
        let stdin = "{\"n\": 2}\n{\"m\": 4}\n{\"n\": \"8\"}\n";
        let (mut ctx, captured) = Ctx::capture("t", &common, stdin);
        let code = ctx.for_each_input(&[], check).unwrap();
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<String> = captured.stdout().lines().map(String::from).collect();
        assert_eq!(lines[0], "2");
        let error: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(error["input"], "{\"m\": 4}");
        assert_eq!(error["error"]["kind"], "input_field");
        assert_eq!(lines[2], "8");
        let (mut ctx, captured) = Ctx::capture("t", &common, stdin);
        assert_eq!(
            bulk(&mut ctx, &[]),
            (vec!["2".into(), "8".into()], Some(ExitCode::Usage))
        );
        assert!(captured.stderr().contains("input field \"n\""));
    }

    #[test]
    fn shards_split_the_inputs_without_overlap() {
        let inputs: Vec<String> = (0..200).map(|n| (n * 2).to_string()).collect();
        let mut union = Vec::new();
        for index in 1..=3 {
            let common = CommonArgs {
                shard: Some(crate::select::Shard { index, count: 3 }),
                ..CommonArgs::default()
            };
            let (mut ctx, captured) = Ctx::capture("t", &common, "");
            ctx.for_each_input(&inputs, check).unwrap();
            union.extend(captured.stdout().lines().map(String::from));
        }
        union.sort_by_key(|n| n.parse::<u32>().unwrap());
        assert_eq!(union, inputs);
    }

    #[test]
    fn buffered_child_writes_in_its_turn() {
        let common = CommonArgs {
            json: true,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("t", &common, "");
        let (mut child, held) = ctx.buffered();
        assert!(child.json() && !child.stderr_is_terminal());
        writeln!(child.out(), "later").unwrap();
        child.error_line(&"note");
        writeln!(ctx.out(), "first").unwrap();
        held.write_to(&mut ctx).unwrap();
        held.write_to(&mut ctx).unwrap();
        assert_eq!(captured.stdout(), "first\nlater\n");
        assert_eq!(captured.stderr(), "t: note\n");
    }

    #[test]
    fn dash_reads_stdin_in_place_once() {
        let (mut ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "4\n6\n");
        let args = ["2", "-", "8", "-"].map(String::from);
        ctx.for_each_input(&args, check).unwrap();
        assert_eq!(captured.stdout(), "2\n4\n6\n8\n");
    }
}
