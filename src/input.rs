//! Bounded reading of input files (scenarios, catalogs, price paths, sweep specs, results a
//! plot reads): every input goes through [`read_input`], so no wrong path makes us read a
//! device, a FIFO or gigabytes.

use crate::error::{Error, Result};
use std::path::Path;

/// Largest input file read (scenario, catalog, price path), bytes: far above any real one (a
/// century of daily prices is about 1 MB), it bounds what a wrong path makes us read.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads the UTF-8 text file at `path`: a regular file (a device or FIFO could block or never
/// end) of at most [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> Result<String> {
    use std::io::{Error as IoError, ErrorKind, Read};
    let fail = |source: IoError| Error::Read { path: path.to_path_buf(), source };
    if !std::fs::metadata(path).map_err(fail)?.is_file() {
        return Err(fail(IoError::new(ErrorKind::InvalidInput, "not a regular file")));
    }
    let mut text = String::new();
    std::fs::File::open(path).map_err(fail)?.take(MAX_INPUT_BYTES + 1).read_to_string(&mut text).map_err(fail)?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail(IoError::new(ErrorKind::InvalidInput, format!("larger than {} MiB", MAX_INPUT_BYTES >> 20))));
    }
    Ok(text)
}
