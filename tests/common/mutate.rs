//! Seeded mutations of input files (TOML scenarios, sweeps, catalogs, price CSVs) for the
//! fuzz test: values made extreme, wrong or missing, tables duplicated, files cut or
//! corrupted. Every mutation is a pure function of the text and the generator's state, so a
//! case is reproduced by its seed alone.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and good enough to pick mutations.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that break assumptions: zero, negative, huge, tiny, NaN and infinity (as TOML
/// floats and as strings), integers at and past the integer types' limits, wrong types,
/// paths that are not inputs, absurd dates.
pub const NASTY: &[&str] = &[
    "0",
    "-1",
    "-0.0",
    "1",
    "2",
    "0.5",
    "100",
    "36525",
    "36526",
    "1e6",
    "1e9",
    "1e12",
    "1e15",
    "1e308",
    "-1e308",
    "1e-308",
    "5e-324",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "4294967296",
    "1e400",
    "\"NaN\"",
    "\"inf\"",
    "\"\"",
    "\"abc\"",
    "\"../../x\"",
    "\"/proc/self/environ\"",
    "\"/dev/zero\"",
    "\"9000000000000000000-01-01\"",
    "\"2024-02-30\"",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "{ a = 1 }",
    "1979-05-27",
];

/// Factors a number is scaled by.
const SCALES: &[f64] = &[-1.0, 0.0, 1e-9, 1e-3, 10.0, 1e3, 1e6, 1e12];

/// A value token of a TOML text: its byte range.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
}

/// Positions of the values in a TOML text (after `=`, or items of arrays), strings
/// included, table headers and comments excluded. A rough scanner: it only has to find
/// values in well-formed files.
fn value_tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<u8> = Vec::new(); // b'[' or b'{'
    let mut prev = b'\n'; // previous significant byte
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let at_line_start = prev == b'\n' && stack.is_empty();
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' => {
                if stack.is_empty() {
                    prev = b'\n';
                }
            }
            b' ' | b'\t' | b'\r' => {}
            b'[' if at_line_start => {
                // A table header: skip the line.
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => {
                if c == b'[' && is_value_position(prev, &stack) {
                    out.push(Token { start: i, end: matching(b, i) });
                }
                stack.push(c);
                prev = c;
            }
            b']' | b'}' => {
                stack.pop();
                prev = c;
            }
            b'=' | b',' => prev = c,
            _ => {
                let start = i;
                if c == b'"' || c == b'\'' {
                    i += 1;
                    while i < b.len() && b[i] != c && b[i] != b'\n' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(b.len());
                } else {
                    while i < b.len() && !b" \t\r\n,]}=#".contains(&b[i]) {
                        i += 1;
                    }
                }
                if is_value_position(prev, &stack) {
                    out.push(Token { start, end: i });
                }
                prev = b'v';
                continue;
            }
        }
        i += 1;
    }
    out
}

fn is_value_position(prev: u8, stack: &[u8]) -> bool {
    prev == b'=' || (stack.last() == Some(&b'[') && (prev == b'[' || prev == b','))
}

/// End (exclusive) of the bracketed value opening at `i`, or the line's end.
fn matching(b: &[u8], i: usize) -> usize {
    let mut depth = 0;
    for (j, &c) in b.iter().enumerate().skip(i) {
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            b'\n' => return j,
            _ => {}
        }
    }
    b.len()
}

fn replace(text: &str, t: Token, with: &str) -> String {
    format!("{}{with}{}", &text[..t.start], &text[t.end..])
}

/// A number written as TOML would parse it back.
fn toml_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:e}")
    }
}

/// Lines of `text` with their byte offsets.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n')
        .map(|l| {
            let r = (at, l);
            at += l.len();
            r
        })
        .collect()
}

fn is_key_line(l: &str) -> bool {
    let t = l.trim_start();
    !t.is_empty() && !t.starts_with('#') && !t.starts_with('[') && t.contains('=')
}

/// One mutation of a TOML file: the new bytes and what was done (for a failure's report).
pub fn mutate_toml(text: &str, rng: &mut Rng) -> (Vec<u8>, String) {
    let tokens = value_tokens(text);
    let all = lines(text);
    let keys: Vec<&(usize, &str)> = all.iter().filter(|(_, l)| is_key_line(l)).collect();
    let headers: Vec<&(usize, &str)> =
        all.iter().filter(|(_, l)| l.trim_start().starts_with('[') && !l.trim_start().starts_with("[[")).collect();
    // Mostly values (the engine sees them only if the file still parses and validates).
    match rng.below(20) {
        0..=6 if !tokens.is_empty() => {
            // Half the time a string (names, dates, paths, enum tags): few, and each matters.
            let strings: Vec<Token> = tokens.iter().copied().filter(|t| text[t.start..].starts_with('"')).collect();
            let t = if strings.is_empty() || rng.below(2) == 0 { *rng.pick(&tokens) } else { *rng.pick(&strings) };
            let old = &text[t.start..t.end];
            let with = match old.as_bytes() {
                // A date (`start_date`): its year, month or day out of range.
                [b'"', y @ .., b'"'] if y.len() == 10 && y[4] == b'-' && rng.below(3) != 0 => {
                    let (year, rest) = old[1..].split_at(4);
                    match rng.below(4) {
                        0 => format!("\"9000000000000000000{rest}"),
                        1 => format!("\"{year}-13-01\""),
                        2 => format!("\"{year}-02-30\""),
                        _ => format!("\"-{year}{rest}"),
                    }
                }
                _ => rng.pick(NASTY).to_string(),
            };
            (replace(text, t, &with).into_bytes(), format!("value {old:?} -> {with}"))
        }
        7..=11 if !tokens.is_empty() => {
            let numbers: Vec<Token> =
                tokens.iter().copied().filter(|t| text[t.start..t.end].parse::<f64>().is_ok()).collect();
            if numbers.is_empty() {
                return mutate_toml(text, rng);
            }
            let t = *rng.pick(&numbers);
            let x: f64 = text[t.start..t.end].parse().expect("a number");
            let with = toml_number(x * rng.pick(SCALES));
            (replace(text, t, &with).into_bytes(), format!("value {} -> {with}", &text[t.start..t.end]))
        }
        12 | 13 if !keys.is_empty() => {
            let (at, l) = **rng.pick(&keys);
            let out = format!("{}{}", &text[..at], &text[at + l.len()..]);
            (out.into_bytes(), format!("deleted line {:?}", l.trim_end()))
        }
        14 if !keys.is_empty() => {
            let (at, l) = **rng.pick(&keys);
            let out = format!("{}{l}{}", &text[..at + l.len()], &text[at + l.len()..]);
            (out.into_bytes(), format!("duplicated line {:?}", l.trim_end()))
        }
        15 if !headers.is_empty() => {
            let (at, h) = **rng.pick(&headers);
            let end = all.iter().map(|(o, _)| *o).find(|&o| o > at && text[o..].trim_start().starts_with('['));
            let block = &text[at..end.unwrap_or(text.len())];
            (format!("{text}\n{block}").into_bytes(), format!("duplicated table {:?}", h.trim_end()))
        }
        16 if !headers.is_empty() => {
            let (at, h) = **rng.pick(&headers);
            let out = format!("{}{h}unknown_key_zz = 1\n{}", &text[..at], &text[at + h.len()..]);
            (out.into_bytes(), format!("unknown key in {:?}", h.trim_end()))
        }
        17 => {
            let mut cut = rng.below(text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            (text.as_bytes()[..cut].to_vec(), format!("truncated at byte {cut}"))
        }
        _ => flip_bytes(text.as_bytes(), rng),
    }
}

/// One mutation of a `day,price_usd` CSV.
pub fn mutate_csv(text: &str, rng: &mut Rng) -> (Vec<u8>, String) {
    let all = lines(text);
    match rng.below(6) {
        0..=2 => {
            // A cell of a data row.
            let (at, l) = all[1 + rng.below(all.len() - 1)];
            let cells: Vec<&str> = l.trim_end().split(',').collect();
            let k = rng.below(cells.len());
            let with = rng.pick(NASTY).trim_matches('"');
            let row: Vec<&str> = cells.iter().enumerate().map(|(i, c)| if i == k { with } else { c }).collect();
            let out = format!("{}{}\n{}", &text[..at], row.join(","), &text[at + l.len()..]);
            (out.into_bytes(), format!("cell {k} of {:?} -> {with}", l.trim_end()))
        }
        3 => {
            let (at, l) = all[rng.below(all.len())];
            let out = format!("{}{}", &text[..at], &text[at + l.len()..]);
            (out.into_bytes(), format!("deleted line {:?}", l.trim_end()))
        }
        4 => {
            let cut = rng.below(text.len().max(1));
            (text.as_bytes()[..cut].to_vec(), format!("truncated at byte {cut}"))
        }
        _ => flip_bytes(text.as_bytes(), rng),
    }
}

/// Flips one to three random bytes (which may leave invalid UTF-8).
fn flip_bytes(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let mut what = Vec::new();
    if out.is_empty() {
        return (out, "empty".into());
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(out.len());
        // Mostly within ASCII (a changed character), sometimes the high bit (invalid UTF-8).
        let mask = if rng.below(4) == 0 { 0xff } else { 0x7f };
        let x = (rng.next_u64() as u8 & mask).max(1);
        out[i] ^= x;
        what.push(format!("byte {i} ^= {x:#04x}"));
    }
    (out, what.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_in_tables_arrays_and_inline_tables() {
        let text = "[a]\nx = 1 # c\ny = { d = \"u\", m = 3 }\nz = [0.5, -2]\n[[b]]\nw = \"s\"\n";
        let got: Vec<&str> = value_tokens(text).iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(got, ["1", "\"u\"", "3", "[0.5, -2]", "0.5", "-2", "\"s\""]);
    }
}
