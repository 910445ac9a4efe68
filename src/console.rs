//! The binary's printing. Every write to stdout or stderr returns its error, where
//! `println!` would panic (exit 101) on a closed pipe or a full device.
//!
//! A reader that closed the pipe (`hashsim risk ... | head -1`) ends the command quietly with
//! exit 0: it asked for no more output, which is not a failure (a non-zero status, like the
//! shell's 141 for a process killed by SIGPIPE, would fail `set -o pipefail` scripts for a
//! normal use). The command's work is done by then, except for `risk`, whose work is its
//! output. Any other write error (a full disk, an I/O error) fails the command: exit 1 and a
//! message on stderr, if stderr can still take one.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The library's error.
    Error(hashsim::Error),
    /// Printing to stdout (`stderr: false`) or stderr failed.
    Print { stderr: bool, source: io::Error },
}

impl From<hashsim::Error> for Failure {
    fn from(e: hashsim::Error) -> Failure {
        Failure::Error(e)
    }
}

/// Commands print their results to stdout: a bare I/O error is a failed write there.
impl From<io::Error> for Failure {
    fn from(source: io::Error) -> Failure {
        Failure::Print { stderr: false, source }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(e) => write!(f, "{e}"),
            Failure::Print { stderr, source } => {
                let stream = if *stderr { "standard error" } else { "standard output" };
                write!(f, "cannot write to {stream}: {source}")
            }
        }
    }
}

/// A command's outcome.
pub type Outcome = Result<(), Failure>;

/// Prints `warning: MESSAGE` on stderr.
pub fn warn(message: &str) -> Outcome {
    writeln!(io::stderr(), "warning: {message}").map_err(|source| Failure::Print { stderr: true, source })
}

/// The exit status of a command: flushes `out` (whatever the outcome, so that what was
/// printed precedes the error) and reports a failure on `err`.
pub fn finish(outcome: Outcome, out: &mut impl Write, err: &mut impl Write) -> ExitCode {
    let flushed = out.flush().map_err(Failure::from);
    status(outcome.and(flushed), err)
}

fn status(outcome: Outcome, err: &mut impl Write) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Print { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            // Nowhere is left to report a failure to write this; the status still says it.
            let _ = writeln!(err, "error: {failure}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of a command line that did not parse, or asked for `--help` or
/// `--version` (printed here: clap's own `exit` ignores write errors).
pub fn clap_exit(e: &clap::Error, err: &mut impl Write) -> ExitCode {
    let code = e.exit_code();
    match e.print() {
        Err(source) if code == 0 => status(Err(Failure::Print { stderr: e.use_stderr(), source }), err),
        _ => ExitCode::from(u8::try_from(code).unwrap_or(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream whose writes fail with `kind`.
    struct Broken(io::ErrorKind);

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(self.0))
        }
    }

    /// Catches a closed pipe reported as an error, and a full device passed over quietly.
    #[test]
    fn closed_pipes_are_quiet_other_write_errors_fail() {
        let mut err = Vec::new();
        let code = finish(Ok(()), &mut Broken(io::ErrorKind::BrokenPipe), &mut err);
        assert_eq!((code, err.len()), (ExitCode::SUCCESS, 0));
        let code = finish(Ok(()), &mut Broken(io::ErrorKind::StorageFull), &mut err);
        assert_eq!(code, ExitCode::FAILURE);
        let text = String::from_utf8(err).unwrap();
        assert!(text.starts_with("error: cannot write to standard output: "), "{text}");
        // A failed command keeps its own error, whatever the flush says.
        let mut err = Vec::new();
        let failed = Err(Failure::Error(hashsim::Error::Other("bad input".into())));
        assert_eq!(finish(failed, &mut Broken(io::ErrorKind::BrokenPipe), &mut err), ExitCode::FAILURE);
        assert_eq!(String::from_utf8(err).unwrap(), "error: bad input\n");
        // Failing to report is not a panic either.
        let failed = Err(Failure::Error(hashsim::Error::Other("bad input".into())));
        assert_eq!(finish(failed, &mut Vec::new(), &mut Broken(io::ErrorKind::StorageFull)), ExitCode::FAILURE);
    }
}
