//! The end-to-end harness: runs the built `netlens` binary, directly or through
//! links named after each tool (multicall), in a cleared environment, with a
//! time limit, and dumps command, status, stdout and stderr when a check fails.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long any one command may run before the test fails.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// A command to run: the dispatcher, or a tool through its link.
pub struct Cmd {
    command: Command,
    shown: String,
    stdin: Option<Vec<u8>>,
    limit: Duration,
    reader_lines: Option<usize>,
}

/// `netlens ARGS...`
pub fn netlens() -> Cmd {
    Cmd::new(Path::new(env!("CARGO_BIN_EXE_netlens")), "netlens")
}

/// A tool by its own name (`subnet-calc ARGS...`), through a link to the dispatcher.
pub fn tool(name: &str) -> Cmd {
    assert!(
        netlens::TOOLS.iter().any(|row| row.name == name),
        "unknown tool {name}"
    );
    Cmd::new(&tool_path(name), name)
}

/// The path of a tool's link, for commands that run it themselves (GNU parallel).
pub fn tool_path(name: &str) -> PathBuf {
    links_dir().join(name)
}

/// `sh -c SCRIPT`, in the same cleared environment as the tools.
pub fn shell(script: &str) -> Cmd {
    Cmd::new(Path::new("/bin/sh"), "sh -c").args(["-c", script])
}

/// A fresh temporary directory for one test's files.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("netlens-e2e-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create temp dir")
}

fn links_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("links-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create links dir");
        for name in netlens::TOOLS.iter().map(|row| row.name) {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_netlens"), &link).expect("link tool");
        }
        dir
    })
}

impl Cmd {
    fn new(program: &Path, shown: &str) -> Cmd {
        let mut command = Command::new(program);
        command.env_clear().env("PATH", "/usr/bin:/bin");
        Cmd {
            command,
            shown: shown.to_string(),
            stdin: None,
            limit: TIME_LIMIT,
            reader_lines: None,
        }
    }

    /// Add arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            let arg = arg.as_ref();
            self.shown.push(' ');
            self.shown.push_str(&arg.to_string_lossy());
            self.command.arg(arg);
        }
        self
    }

    /// Set an environment variable (the environment starts empty but for PATH).
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Run in this directory.
    pub fn current_dir(mut self, dir: &Path) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    /// Feed this to stdin (otherwise stdin is empty, not a terminal).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(input.into());
        self
    }

    /// Change the time limit for this command.
    pub fn limit(mut self, limit: Duration) -> Cmd {
        self.limit = limit;
        self
    }

    /// Run with stdout read for only `lines` lines, then closed, as `| head -n
    /// LINES` does: the command must notice the closed pipe and stop.
    pub fn shell_pipe(mut cmd: Cmd, lines: usize) -> Run {
        cmd.reader_lines = Some(lines);
        cmd.run()
    }

    /// Run to the end (or kill it at the time limit) and collect what it printed.
    pub fn run(mut self) -> Run {
        let started = Instant::now();
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.shown));
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.take().unwrap_or_default();
        let feeder = std::thread::spawn(move || {
            // The tool may exit without reading everything: a broken pipe here is fine.
            let _ = stdin.write_all(&input);
        });
        let stdout = match self.reader_lines {
            Some(lines) => head(child.stdout.take().expect("stdout"), lines),
            None => drain(child.stdout.take().expect("stdout")),
        };
        let stderr = drain(child.stderr.take().expect("stderr"));
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > self.limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{} ran longer than {:?}", self.shown, self.limit);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let _ = feeder.join();
        Run {
            shown: self.shown,
            code: status.code(),
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

fn drain(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        bytes
    })
}

/// Read `lines` lines, then drop the pipe's read end (as `head` does).
fn head(stream: impl Read + Send + 'static, lines: usize) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stream);
        let mut bytes = Vec::new();
        for _ in 0..lines {
            if std::io::BufRead::read_until(&mut reader, b'\n', &mut bytes).unwrap_or(0) == 0 {
                break;
            }
        }
        bytes
    })
}

/// What a finished command did.
pub struct Run {
    shown: String,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Raw stdout bytes.
    pub stdout: Vec<u8>,
    /// Raw stderr bytes.
    pub stderr: Vec<u8>,
}

impl Run {
    /// Stdout as text.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stderr as text.
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Everything about the run, for failure messages.
    pub fn dump(&self) -> String {
        format!(
            "command: {}\nstatus: {:?}\n--- stdout\n{}\n--- stderr\n{}\n---",
            self.shown,
            self.code,
            self.out(),
            self.err()
        )
    }

    /// Assert the exit code; returns self for chaining.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit code\n{}",
            self.dump()
        );
        self
    }

    /// Assert that stdout contains `needle`.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.out().contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.dump()
        );
        self
    }

    /// Assert that stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.err().contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.dump()
        );
        self
    }

    /// Assert that neither stream contains `needle` (passwords, panics).
    #[track_caller]
    pub fn never_shows(&self, needle: &str) -> &Run {
        assert!(
            !self.out().contains(needle) && !self.err().contains(needle),
            "output shows {needle:?}\n{}",
            self.dump()
        );
        self
    }

    /// Stdout parsed as one JSON value.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value: {e}\n{}", self.dump()))
    }

    /// Stdout parsed as JSON Lines.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.out()
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}\n{}", self.dump()))
            })
            .collect()
    }
}
