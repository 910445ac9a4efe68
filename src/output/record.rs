//! CSV records of flat rows (`observe::DayRow`, `OperatorRow`, ...), written straight into a
//! byte buffer: the bytes the `csv` crate writes with its default settings, without its
//! per-field state machine and byte-by-byte copy (a fifth of a run's time at a million
//! operators went to `operators.csv` through it).
//!
//! What the `csv` crate does, and so this module (its `serializer.rs` and csv-core's
//! `writer.rs`): fields separated by `,`, records ended by `\n`; floats in `ryu`'s shortest
//! round-trip form, written by `zmij` (`Record::float`), and `NaN`, `inf`, `-inf` for the
//! others (a zero as `0.0` whatever its sign, where the `csv` crate writes `-0.0`); integers by `itoa`; `true`/`false`; `None` and `()` an empty field; a unit enum
//! variant its (serde) name; a text field quoted only when it holds `,`, `"`, `\r` or `\n`,
//! inner quotes doubled; a record of one empty field written `""`. The header is the struct's
//! field names, quoted by the same rule. Only flat rows are supported: a field that is a
//! struct, a sequence or a map is an error (the `csv` crate would flatten some of them; no row
//! here has one).

use serde::ser::{self, Impossible, Serialize, SerializeStruct};
use std::fmt;

/// A row this module cannot write (a nested struct, sequence or map field).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

impl ser::Error for RecordError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RecordError(msg.to_string())
    }
}

/// Appends `row`'s header line (its field names) to `out`.
pub fn write_header<T: Serialize>(out: &mut Vec<u8>, row: &T) -> Result<(), RecordError> {
    write(out, row, Part::Header)
}

/// Appends `row` as one record to `out`.
pub fn write_record<T: Serialize>(out: &mut Vec<u8>, row: &T) -> Result<(), RecordError> {
    write(out, row, Part::Values)
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Header,
    Values,
}

fn write<T: Serialize>(out: &mut Vec<u8>, row: &T, part: Part) -> Result<(), RecordError> {
    let start = out.len();
    let mut record = Record { out, part, fields: 0 };
    row.serialize(&mut record)?;
    let fields = record.fields;
    if fields == 1 && out.len() == start {
        out.extend_from_slice(b"\"\""); // a lone empty field would read as no record at all
    }
    out.push(b'\n');
    Ok(())
}

/// Whether csv-core quotes a field with these bytes (`QuoteStyle::Necessary`, `,` and `"`,
/// and either line end).
fn needs_quotes(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

struct Record<'a> {
    out: &'a mut Vec<u8>,
    part: Part,
    fields: usize,
}

impl Record<'_> {
    fn separate(&mut self) {
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.fields += 1;
    }

    /// A field whose bytes never need quotes (numbers, `true`, `false`).
    fn plain(&mut self, bytes: &[u8]) {
        self.separate();
        self.out.extend_from_slice(bytes);
    }

    /// A float as the `csv` crate writes it, ryu's shortest round-trip form. `zmij` finds the
    /// same digits and lays them out the same way, 1.7 times as fast on a run's values (18 ->
    /// 10.5 ns a float), except that it signs a positive exponent (`1e+16` where ryu writes
    /// `1e16`): the `+` is dropped. (Checked on every f32 and 300 million doubles: random bit
    /// patterns, exponents within 1e+-12, grid sums.) The text is searched only where it can
    /// have one (`may_sign_exponent`), so the common case stays a copy.
    fn float(&mut self, bytes: &[u8], may_sign_exponent: bool) {
        let plus = if may_sign_exponent { bytes.iter().rposition(|&b| b == b'+') } else { None };
        match plus {
            Some(plus) => {
                self.plain(&bytes[..plus]);
                self.out.extend_from_slice(&bytes[plus + 1..]);
            }
            None => self.plain(bytes),
        }
    }

    fn text(&mut self, bytes: &[u8]) {
        self.separate();
        if needs_quotes(bytes) {
            self.out.push(b'"');
            for &b in bytes {
                if b == b'"' {
                    self.out.push(b'"');
                }
                self.out.push(b);
            }
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    fn unsupported(what: &str) -> RecordError {
        RecordError(format!("a CSV row cannot hold {what}"))
    }
}

macro_rules! integers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), RecordError> {
            self.plain(itoa::Buffer::new().format(v).as_bytes());
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for &mut Record<'a> {
    type Ok = ();
    type Error = RecordError;
    type SerializeSeq = Impossible<(), RecordError>;
    type SerializeTuple = Impossible<(), RecordError>;
    type SerializeTupleStruct = Impossible<(), RecordError>;
    type SerializeTupleVariant = Impossible<(), RecordError>;
    type SerializeMap = Impossible<(), RecordError>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), RecordError>;

    fn serialize_bool(self, v: bool) -> Result<(), RecordError> {
        self.plain(if v { b"true" } else { b"false" });
        Ok(())
    }

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);

    fn serialize_f32(self, v: f32) -> Result<(), RecordError> {
        // Always searched for a `+`: no row holds an f32, so no threshold is worked out for one.
        let v = if v == 0.0 { 0.0 } else { v };
        self.float(zmij::Buffer::new().format(v).as_bytes(), true);
        Ok(())
    }

    /// The one place this writer parts from the `csv` crate: a zero is written `0.0` whatever
    /// its sign. Rust's float `Sum` starts from -0.0, so an empty sum (the AI MW of a site
    /// with no halls, the fleet of an operator that left) is -0.0, which every reader takes
    /// for 0 but prints as `-0`: it was in most rows of `operators.csv`.
    fn serialize_f64(self, v: f64) -> Result<(), RecordError> {
        if v == 0.0 {
            // About a third of the floats of `operators.csv`, written without the digit search.
            self.plain(b"0.0");
            return Ok(());
        }
        // Both write an exponent from 1e16 up; 1e16 is a double, so no smaller double prints
        // as it.
        self.float(zmij::Buffer::new().format(v).as_bytes(), v.abs() >= 1e16);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), RecordError> {
        self.text(v.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), RecordError> {
        self.text(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), RecordError> {
        self.text(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), RecordError> {
        self.plain(b"");
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), RecordError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), RecordError> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), RecordError> {
        self.serialize_str(name)
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), RecordError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<(), RecordError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RecordError> {
        Err(Record::unsupported("an enum variant with data"))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RecordError> {
        Err(Record::unsupported("a sequence"))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RecordError> {
        Err(Record::unsupported("a tuple"))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, RecordError> {
        Err(Record::unsupported("a tuple struct"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RecordError> {
        Err(Record::unsupported("a tuple variant"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RecordError> {
        Err(Record::unsupported("a map"))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, RecordError> {
        if self.fields > 0 {
            return Err(Record::unsupported("a struct inside a row"));
        }
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RecordError> {
        Err(Record::unsupported("a struct variant"))
    }
}

impl SerializeStruct for &mut Record<'_> {
    type Ok = ();
    type Error = RecordError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), RecordError> {
        match self.part {
            Part::Header => {
                self.text(key.as_bytes());
                Ok(())
            }
            Part::Values => {
                let before = self.fields;
                value.serialize(&mut **self)?;
                if self.fields != before + 1 {
                    return Err(Record::unsupported(&format!("field `{key}` as anything but one value")));
                }
                Ok(())
            }
        }
    }

    fn end(self) -> Result<(), RecordError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use serde::Serialize;

    /// What the `csv` crate writes for `rows` (header first): the oracle.
    fn by_csv<T: Serialize>(rows: &[T]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.serialize(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn by_record<T: Serialize>(rows: &[T]) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(first) = rows.first() {
            write_header(&mut out, first).unwrap();
        }
        for r in rows {
            write_record(&mut out, r).unwrap();
        }
        out
    }

    #[derive(Serialize, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Solo,
        PoolMember,
    }

    #[derive(Serialize)]
    struct Every {
        a_f64: f64,
        b_f32: f32,
        c_u32: u32,
        d_u64: u64,
        e_usize: usize,
        f_i64: i64,
        g_bool: bool,
        h_opt: Option<f64>,
        i_text: String,
        j_static: &'static str,
        k_kind: Kind,
        #[serde(rename = "renamed,with \"comma\"")]
        l_unit: (),
        m_char: char,
    }

    /// Floats where the formats part ways: every exponent, subnormals, signed zeros,
    /// non-finite values, integers past 2^53, and plain decimals.
    fn float(rng: &mut impl Rng) -> f64 {
        match rng.random_range(0..8) {
            0 => f64::from_bits(rng.random()),
            1 => [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                f64::MIN_POSITIVE,
                5e-324,
                1e16,
                -1e16,
                9999999999999998.0,
            ][rng.random_range(0..10)],
            2 => rng.random_range(-1e6..1e6_f64).round(),
            3 => rng.random_range(0.0..1.0),
            4 => 10f64.powi(rng.random_range(-30..30)) * rng.random_range(1.0..10.0),
            5 => rng.random_range(0..1u64 << 60) as f64,
            _ => rng.random_range(-1e3..1e3),
        }
    }

    /// Text that needs quoting and text that does not.
    fn text(rng: &mut impl Rng) -> String {
        let pieces = ["op7", "", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "é ü", " space ", "\"", ","];
        (0..rng.random_range(0..3)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect()
    }

    /// Bug caught: any byte that differs from the `csv` crate's: a float formatted otherwise
    /// (`{}` instead of ryu: `1e16` vs `10000000000000000`, `NaN`; zmij's `1e+16` kept, or its
    /// `+` looked for only above the threshold where ryu turns to exponents), a text field left unquoted
    /// with a comma or line end, a quote not doubled, `None` not empty, an enum by index, a
    /// renamed field by its Rust name.
    #[test]
    fn rows_are_byte_for_byte_the_csv_crates() {
        // The same rows twice; the oracle's with each -0.0 made 0.0, which is how this writer
        // parts from the `csv` crate (`zeros_are_written_without_a_sign`).
        let rows = |unsigned_zeros: bool| -> Vec<Every> {
            let mut rng = rand::rngs::StdRng::seed_from_u64(11);
            let float = |rng: &mut rand::rngs::StdRng| {
                let x = float(rng);
                if unsigned_zeros && x == 0.0 {
                    0.0
                } else {
                    x
                }
            };
            (0..2_000)
                .map(|_| Every {
                    a_f64: float(&mut rng),
                    // Cast after the draw: a tiny negative double is a -0.0 float.
                    b_f32: match float(&mut rng) as f32 {
                        z if unsigned_zeros && z == 0.0 => 0.0,
                        x => x,
                    },
                    c_u32: rng.random(),
                    d_u64: rng.random(),
                    e_usize: rng.random_range(0..1_000_000),
                    f_i64: rng.random(),
                    g_bool: rng.random(),
                    h_opt: rng.random_bool(0.5).then(|| float(&mut rng)),
                    i_text: text(&mut rng),
                    j_static: ["x", "has,comma", ""][rng.random_range(0..3)],
                    k_kind: if rng.random() { Kind::Solo } else { Kind::PoolMember },
                    l_unit: (),
                    m_char: [',', 'a', '"', 'é'][rng.random_range(0..4)],
                })
                .collect()
        };
        let (rows, oracle_rows) = (rows(false), rows(true));
        assert!(rows.iter().any(|r| r.a_f64.to_bits() == (-0.0f64).to_bits()), "the rows hold a -0.0");
        assert_eq!(String::from_utf8(by_record(&rows)).unwrap(), String::from_utf8(by_csv(&oracle_rows)).unwrap());
    }

    #[derive(Serialize)]
    struct Zeros {
        a: f64,
        b: f32,
        c: Option<f64>,
        d: f64,
    }

    /// Bug caught: a -0.0 written with its sign (an empty sum in Rust is -0.0: the AI MW of
    /// every site without halls read `-0.0` in `operators.csv`), or a small negative number
    /// taken for a zero.
    #[test]
    fn zeros_are_written_without_a_sign() {
        let row = Zeros { a: -0.0, b: -0.0, c: Some(-0.0), d: -5e-324 };
        assert_eq!(by_record(&[row]), b"a,b,c,d\n0.0,0.0,0.0,-5e-324\n");
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert!(empty.is_sign_negative(), "Rust's empty sum is -0.0 (why the writer unsigns zeros)");
    }

    /// The rows hashsim writes, at their defaults and with text that needs quotes.
    #[test]
    fn hashsim_rows_are_the_csv_crates() {
        use crate::observe::{DayRow, LogEvent, PoolRow, SupplyRow};
        assert_eq!(by_record(&[DayRow::default()]), by_csv(&[DayRow::default()]));
        assert_eq!(by_record(&[PoolRow::default()]), by_csv(&[PoolRow::default()]));
        assert_eq!(by_record(&[SupplyRow::default()]), by_csv(&[SupplyRow::default()]));
        let e = LogEvent { kind: "odd,\"kind\"", counterparty: Some(3), ..LogEvent::default() };
        assert_eq!(by_record(&[LogEvent::default(), e.clone()]), by_csv(&[LogEvent::default(), e]));
    }

    #[derive(Serialize)]
    struct Lone {
        only: String,
    }

    #[derive(Serialize)]
    struct Nested {
        a: f64,
        inner: Lone,
    }

    /// Bug caught: a lone empty field written as a blank line (which reads as no record), or
    /// a nested struct written as if its fields were the row's.
    #[test]
    fn lone_empty_fields_are_quoted_and_nested_rows_refused() {
        let rows = [Lone { only: String::new() }, Lone { only: "x".into() }];
        assert_eq!(by_record(&rows), by_csv(&rows));
        let mut out = Vec::new();
        let nested = Nested { a: 1.0, inner: Lone { only: "x".into() } };
        assert!(write_record(&mut out, &nested).is_err());
    }
}
