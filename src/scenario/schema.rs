//! The scenario's types under their historical path: the file's tables ([`super::raw`]),
//! the parsed strings ([`super::validate::parse_bits`], [`super::date`]).

pub use super::date::{format_date, parse_date, YEAR_MAX, YEAR_MIN};
pub use super::raw::*;
pub use super::validate::parse_bits;
