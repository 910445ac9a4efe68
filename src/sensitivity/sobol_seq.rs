//! The Sobol' low-discrepancy sequence (Sobol' 1967, "On the distribution of points in a cube
//! and the approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7) in Gray-code
//! order (Antonov & Saleev 1979), with the direction numbers of Joe & Kuo (2008, "Constructing
//! Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30), file
//! `new-joe-kuo-6.21201`, first [`MAX_DIMENSIONS`] dimensions.
//!
//! Points are 32-bit integers `x` (the coordinate is `x / 2^32`); the unscrambled sequence is the
//! one `scipy.stats.qmc.Sobol(d, scramble=False, bits=32)` produces, which the tests check.

/// Dimensions the embedded table covers: Saltelli's design needs `2k`, so up to 20 factors.
pub const MAX_DIMENSIONS: usize = 40;

/// Bits per coordinate, hence at most `2^32` distinct points.
pub const BITS: usize = 32;

/// One row of Joe & Kuo's table: a primitive polynomial over GF(2) of degree `degree`, its
/// interior coefficients `coefficients` (a_1 the most significant of `degree - 1` bits; the
/// leading and constant terms are 1), and the initial odd integers `m_1 .. m_degree`.
struct Primitive {
    degree: u32,
    coefficients: u32,
    initial: &'static [u32],
}

/// Dimensions 2..=40 of `new-joe-kuo-6.21201` (dimension 1 is the van der Corput sequence, all
/// `m_j = 1`). Transcribed from SciPy's copy (`_sobol_direction_numbers.npz`) and checked
/// against the published file's rows; the tests check the generated points against SciPy.
const JOE_KUO: [Primitive; MAX_DIMENSIONS - 1] = [
    Primitive { degree: 1, coefficients: 0, initial: &[1] },    // d=2
    Primitive { degree: 2, coefficients: 1, initial: &[1, 3] }, // d=3
    Primitive { degree: 3, coefficients: 1, initial: &[1, 3, 1] }, // d=4
    Primitive { degree: 3, coefficients: 2, initial: &[1, 1, 1] }, // d=5
    Primitive { degree: 4, coefficients: 1, initial: &[1, 1, 3, 3] }, // d=6
    Primitive { degree: 4, coefficients: 4, initial: &[1, 3, 5, 13] }, // d=7
    Primitive { degree: 5, coefficients: 2, initial: &[1, 1, 5, 5, 17] }, // d=8
    Primitive { degree: 5, coefficients: 4, initial: &[1, 1, 5, 5, 5] }, // d=9
    Primitive { degree: 5, coefficients: 7, initial: &[1, 1, 7, 11, 19] }, // d=10
    Primitive { degree: 5, coefficients: 11, initial: &[1, 1, 5, 1, 1] }, // d=11
    Primitive { degree: 5, coefficients: 13, initial: &[1, 1, 1, 3, 11] }, // d=12
    Primitive { degree: 5, coefficients: 14, initial: &[1, 3, 5, 5, 31] }, // d=13
    Primitive { degree: 6, coefficients: 1, initial: &[1, 3, 3, 9, 7, 49] }, // d=14
    Primitive { degree: 6, coefficients: 13, initial: &[1, 1, 1, 15, 21, 21] }, // d=15
    Primitive { degree: 6, coefficients: 16, initial: &[1, 3, 1, 13, 27, 49] }, // d=16
    Primitive { degree: 6, coefficients: 19, initial: &[1, 1, 1, 15, 7, 5] }, // d=17
    Primitive { degree: 6, coefficients: 22, initial: &[1, 3, 1, 15, 13, 25] }, // d=18
    Primitive { degree: 6, coefficients: 25, initial: &[1, 1, 5, 5, 19, 61] }, // d=19
    Primitive { degree: 7, coefficients: 1, initial: &[1, 3, 7, 11, 23, 15, 103] }, // d=20
    Primitive { degree: 7, coefficients: 4, initial: &[1, 3, 7, 13, 13, 15, 69] }, // d=21
    Primitive { degree: 7, coefficients: 7, initial: &[1, 1, 3, 13, 7, 35, 63] }, // d=22
    Primitive { degree: 7, coefficients: 8, initial: &[1, 3, 5, 9, 1, 25, 53] }, // d=23
    Primitive { degree: 7, coefficients: 14, initial: &[1, 3, 1, 13, 9, 35, 107] }, // d=24
    Primitive { degree: 7, coefficients: 19, initial: &[1, 3, 1, 5, 27, 61, 31] }, // d=25
    Primitive { degree: 7, coefficients: 21, initial: &[1, 1, 5, 11, 19, 41, 61] }, // d=26
    Primitive { degree: 7, coefficients: 28, initial: &[1, 3, 5, 3, 3, 13, 69] }, // d=27
    Primitive { degree: 7, coefficients: 31, initial: &[1, 1, 7, 13, 1, 19, 1] }, // d=28
    Primitive { degree: 7, coefficients: 32, initial: &[1, 3, 7, 5, 13, 19, 59] }, // d=29
    Primitive { degree: 7, coefficients: 37, initial: &[1, 1, 3, 9, 25, 29, 41] }, // d=30
    Primitive { degree: 7, coefficients: 41, initial: &[1, 3, 5, 13, 23, 1, 55] }, // d=31
    Primitive { degree: 7, coefficients: 42, initial: &[1, 3, 7, 3, 13, 59, 17] }, // d=32
    Primitive { degree: 7, coefficients: 50, initial: &[1, 3, 1, 3, 5, 53, 69] }, // d=33
    Primitive { degree: 7, coefficients: 55, initial: &[1, 1, 5, 5, 23, 33, 13] }, // d=34
    Primitive { degree: 7, coefficients: 56, initial: &[1, 1, 7, 7, 1, 61, 123] }, // d=35
    Primitive { degree: 7, coefficients: 59, initial: &[1, 1, 7, 9, 13, 61, 49] }, // d=36
    Primitive { degree: 7, coefficients: 62, initial: &[1, 3, 3, 5, 3, 55, 33] }, // d=37
    Primitive { degree: 8, coefficients: 14, initial: &[1, 3, 1, 15, 31, 13, 49, 245] }, // d=38
    Primitive { degree: 8, coefficients: 21, initial: &[1, 3, 5, 15, 31, 59, 63, 97] }, // d=39
    Primitive { degree: 8, coefficients: 22, initial: &[1, 3, 1, 11, 11, 11, 77, 249] }, // d=40
];

/// The direction integers `V_j = m_j 2^(32 - j)`, `j = 1..=32`, of every dimension.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    directions: Vec<[u32; BITS]>,
}

impl SobolSequence {
    /// The first `dimensions` dimensions of the sequence.
    ///
    /// # Panics
    /// If `dimensions` is 0 or above [`MAX_DIMENSIONS`].
    pub fn new(dimensions: usize) -> SobolSequence {
        assert!(
            (1..=MAX_DIMENSIONS).contains(&dimensions),
            "Sobol' sequence: {dimensions} dimensions, the table holds 1..={MAX_DIMENSIONS}"
        );
        let mut directions = Vec::with_capacity(dimensions);
        // Dimension 1: m_j = 1 for every j.
        directions.push(std::array::from_fn(|j| 1u32 << (BITS - 1 - j)));
        for row in &JOE_KUO[..dimensions - 1] {
            directions.push(direction_integers(row));
        }
        SobolSequence { directions }
    }

    /// How many coordinates each point has.
    pub fn dimensions(&self) -> usize {
        self.directions.len()
    }

    /// Point number `index` (0-based; point 0 is the origin) as 32-bit integers: the XOR of
    /// the direction integers selected by the bits of the Gray code `index ^ (index >> 1)`,
    /// which is what the usual recursive generator reaches after `index` steps.
    pub fn point_bits(&self, index: u32) -> Vec<u32> {
        let gray = index ^ (index >> 1);
        self.directions
            .iter()
            .map(|v| (0..BITS).filter(|bit| (gray >> bit) & 1 == 1).fold(0u32, |x, bit| x ^ v[bit]))
            .collect()
    }
}

/// Joe & Kuo's recurrence (their `sobol.cc`): for `j > s`,
/// `V_j = V_(j-s) ^ (V_(j-s) >> s) ^ XOR_(k=1..s-1) a_k V_(j-k)`.
fn direction_integers(row: &Primitive) -> [u32; BITS] {
    let s = row.degree as usize;
    let mut v = [0u32; BITS];
    for (j, m) in row.initial.iter().enumerate() {
        v[j] = m << (BITS - 1 - j);
    }
    for j in s..BITS {
        let mut x = v[j - s] ^ (v[j - s] >> s);
        for k in 1..s {
            if (row.coefficients >> (s - 1 - k)) & 1 == 1 {
                x ^= v[j - k];
            }
        }
        v[j] = x;
    }
    v
}

/// The coordinate in (0, 1) of a 32-bit integer: the midpoint of its cell of width `2^-32`,
/// so no coordinate is exactly 0 or 1 (a model mapping to an unbounded distribution stays
/// finite).
pub fn bits_to_unit(bits: u32) -> f64 {
    (f64::from(bits) + 0.5) / 2f64.powi(BITS as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::mix64;

    /// The digest the reference values below were computed with (in Python, same function).
    fn digest(values: impl IntoIterator<Item = u32>) -> u64 {
        values.into_iter().fold(0u64, |h, x| mix64(h ^ u64::from(x)))
    }

    /// Bug caught: a wrong ordering (natural instead of Gray code) or a wrong first direction
    /// number. Reference: `scipy.stats.qmc.Sobol(3, scramble=False).random(8)` (SciPy 1.17.1).
    #[test]
    fn first_points_match_scipy() {
        let seq = SobolSequence::new(3);
        let unit = |x: u32| f64::from(x) / 2f64.powi(32);
        let expected = [
            [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125],
            [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625],
            [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375],
        ];
        for i in 0..8u32 {
            let p = seq.point_bits(i);
            for d in 0..3 {
                assert_eq!(unit(p[d]), expected[d][i as usize], "point {i}, dim {d}");
            }
        }
    }

    /// Bug caught: any mistyped entry of the direction-number table or the recurrence that
    /// extends it. Each dimension's first 2^16 points (16 direction integers each) are digested
    /// and compared with SciPy's `Sobol(40, scramble=False, bits=32).random(2**16)`.
    #[test]
    fn every_dimension_matches_scipy_for_the_first_65536_points() {
        const SCIPY: [u64; MAX_DIMENSIONS] = [
            0xDA9E4CFE07567606,
            0x81B10AFD2489B2DF,
            0xDE1335A15DFAE69C,
            0xC9C39A5951AF9CC0,
            0xC65EEE98F3DBF331,
            0x1A18CD0062870F36,
            0x9107010F39569374,
            0xD3721D4A16C26DB3,
            0xB32C6EA355F5FBC9,
            0x361A963FD3E240FC,
            0xFF9AAC9C71D9F785,
            0x56C78E9CEE5FEEDF,
            0xF9A463C9EB1528C6,
            0x642D055DF800854D,
            0xABC3D8C9319BF4CD,
            0xD4A00CD62516A4CF,
            0xB581904874DAF7B3,
            0x2B8510F59DC32D3F,
            0x73D441082372D4C0,
            0x080412813EC1FB29,
            0x318DDD86ACD6DBB8,
            0x2D5DC85F0F0A97B7,
            0x785105C589AF0ED1,
            0x77D0DBF9C65E006E,
            0xCF839BE2E04A1585,
            0x545619E7A4161B13,
            0xBE18CD38B6636B50,
            0x1FFA648B773C8D2B,
            0x7090FD4DB948EAAD,
            0xFD7202797C51964A,
            0xBB530EAD1D0A9CD3,
            0x1689B736B46E6A70,
            0xC7DC2F4142F36E1E,
            0x402B49486344147F,
            0xF13BD55DF5CB9DA4,
            0x6E6D44EC2C931334,
            0xFC29BDC33D6C0736,
            0x034A6CA26060E21F,
            0x46DD11CB4B01078F,
            0x671C38341A94FA87,
        ];
        let seq = SobolSequence::new(MAX_DIMENSIONS);
        let points: Vec<Vec<u32>> = (0..1u32 << 16).map(|i| seq.point_bits(i)).collect();
        for (d, expected) in SCIPY.iter().enumerate() {
            assert_eq!(digest(points.iter().map(|p| p[d])), *expected, "dim {}", d + 1);
        }
    }

    /// Bug caught: wrong high direction integers (bits 17..32), which only far points use.
    /// Reference: SciPy after `fast_forward(index)`, all 40 coordinates digested.
    #[test]
    fn far_points_match_scipy() {
        let seq = SobolSequence::new(MAX_DIMENSIONS);
        let cases: [(u32, u64, [u32; 3]); 4] = [
            (1000, 0x4457DA7630C53A25, [943718400, 415236096, 2227175424]),
            (123456, 0x0923CF6B99F15CA1, [113803264, 784891904, 1319665664]),
            (2147495993, 0x52DC433BDB0089CC, [2752774147, 2238272853, 1645001659]),
            (u32::MAX, 0xEDE06728419F0414, [1, 4294967295, 3305133397]),
        ];
        for (index, expected, head) in cases {
            let p = seq.point_bits(index);
            assert_eq!(p[..3], head, "point {index}");
            assert_eq!(digest(p), expected, "point {index}");
        }
    }

    /// Bug caught: a coordinate of exactly 0 or 1, or a midpoint offset on the wrong side.
    #[test]
    fn unit_coordinates_are_strictly_inside() {
        assert!(bits_to_unit(0) > 0.0);
        assert!(bits_to_unit(u32::MAX) < 1.0);
        assert_eq!(bits_to_unit(1 << 31), 0.5 + 0.5 / 2f64.powi(32));
    }
}
