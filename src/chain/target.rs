//! Proof-of-work targets: a minimal 256-bit unsigned integer and Bitcoin's compact encoding
//! ("nBits"), mirroring Bitcoin Core's `arith_uint256` (`SetCompact`, `GetCompact`) and the
//! RPC's `GetDifficulty`. Only what the retarget rule needs is here.

use std::cmp::Ordering;

/// A 256-bit unsigned integer, little-endian 64-bit limbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub [u64; 4]);

impl U256 {
    pub const ZERO: U256 = U256([0; 4]);

    pub fn from_u64(v: u64) -> U256 {
        U256([v, 0, 0, 0])
    }

    /// Number of significant bits (Core `arith_uint256::bits`).
    pub fn bits(&self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + (64 - self.0[i].leading_zeros());
            }
        }
        0
    }

    pub fn low_u64(&self) -> u64 {
        self.0[0]
    }

    pub fn shl(&self, n: u32) -> U256 {
        let mut out = [0u64; 4];
        let (limbs, bits) = ((n / 64) as usize, n % 64);
        for i in (0..4).rev() {
            if i < limbs {
                continue;
            }
            let src = i - limbs;
            let mut v = self.0[src] << bits;
            if bits > 0 && src > 0 {
                v |= self.0[src - 1] >> (64 - bits);
            }
            out[i] = v;
        }
        U256(out)
    }

    pub fn shr(&self, n: u32) -> U256 {
        let mut out = [0u64; 4];
        let (limbs, bits) = ((n / 64) as usize, n % 64);
        for (i, o) in out.iter_mut().enumerate() {
            let src = i + limbs;
            if src >= 4 {
                break;
            }
            let mut v = self.0[src] >> bits;
            if bits > 0 && src + 1 < 4 {
                v |= self.0[src + 1] << (64 - bits);
            }
            *o = v;
        }
        U256(out)
    }

    /// `self * m`, wrapping modulo 2^256 as Core's `operator*=(uint32_t)` does.
    pub fn mul_u64(&self, m: u64) -> U256 {
        let mut out = [0u64; 4];
        let mut carry: u128 = 0;
        for (i, o) in out.iter_mut().enumerate() {
            let v = self.0[i] as u128 * m as u128 + carry;
            *o = v as u64;
            carry = v >> 64;
        }
        U256(out)
    }

    /// `self / d` (integer division, truncating). `d` must be non-zero.
    pub fn div_u64(&self, d: u64) -> U256 {
        assert!(d != 0, "division by zero");
        let mut out = [0u64; 4];
        let mut rem: u128 = 0;
        for i in (0..4).rev() {
            let cur = (rem << 64) | self.0[i] as u128;
            out[i] = (cur / d as u128) as u64;
            rem = cur % d as u128;
        }
        U256(out)
    }

    /// Nearest `f64` (Core `arith_uint256::getdouble`).
    pub fn to_f64(&self) -> f64 {
        let mut v = 0.0;
        let mut fact = 1.0;
        for limb in self.0 {
            v += fact * limb as f64;
            fact *= 18_446_744_073_709_551_616.0;
        }
        v
    }

    /// Decodes compact "nBits" (Core `arith_uint256::SetCompact`). Returns the value and
    /// whether the encoding was negative or overflowed (both invalid as targets).
    pub fn from_compact(compact: u32) -> (U256, bool, bool) {
        let size = compact >> 24;
        let mut word = compact & 0x007f_ffff;
        let value = if size <= 3 {
            word >>= 8 * (3 - size);
            U256::from_u64(word as u64)
        } else {
            U256::from_u64(word as u64).shl(8 * (size - 3))
        };
        let negative = word != 0 && (compact & 0x0080_0000) != 0;
        let overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
        (value, negative, overflow)
    }

    /// Encodes as compact "nBits" (Core `arith_uint256::GetCompact`, non-negative).
    pub fn to_compact(&self) -> u32 {
        let mut size = self.bits().div_ceil(8);
        let mut compact: u32 = if size <= 3 {
            (self.low_u64() << (8 * (3 - size))) as u32
        } else {
            self.shr(8 * (size - 3)).low_u64() as u32
        };
        // The 0x00800000 bit denotes the sign: if set, divide the mantissa by 256.
        if compact & 0x0080_0000 != 0 {
            compact >>= 8;
            size += 1;
        }
        compact | (size << 24)
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in (0..4).rev() {
            match self.0[i].cmp(&other.0[i]) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        Ordering::Equal
    }
}

/// Mainnet proof-of-work limit, `powLimit` = 0x00000000ffff...ff (Core `chainparams.cpp`); its
/// compact form is 0x1d00ffff, the target of difficulty 1.
pub fn pow_limit() -> U256 {
    U256([u64::MAX, u64::MAX, u64::MAX, 0x0000_0000_ffff_ffff])
}

/// Compact bits of difficulty 1 (the genesis block's nBits).
pub const POW_LIMIT_BITS: u32 = 0x1d00_ffff;

/// Difficulty of compact bits, exactly as Core's RPC `GetDifficulty` computes it.
///
/// # Formula
/// `difficulty = 0xffff * 256^(29 - exponent) / mantissa`: the difficulty-1 target
/// (0x00000000ffff0000...) divided by the target.
pub fn difficulty_from_bits(bits: u32) -> f64 {
    let mut shift = (bits >> 24) & 0xff;
    let mut diff = 65_535.0 / (bits & 0x00ff_ffff) as f64;
    while shift < 29 {
        diff *= 256.0;
        shift += 1;
    }
    while shift > 29 {
        diff /= 256.0;
        shift -= 1;
    }
    diff
}

/// Compact bits whose difficulty is closest below-or-at `difficulty` (the target is rounded
/// down to 3 significant bytes, as every nBits is). Used to start a chain from a configured
/// difficulty. `difficulty` must be >= 1.
pub fn bits_from_difficulty(difficulty: f64) -> u32 {
    // target = 0xffff * 2^208 / difficulty; find the exponent whose mantissa fits 23 bits.
    let target = 65_535.0 * 2f64.powi(208) / difficulty;
    for size in 3u32..=32 {
        let mantissa = target / 256f64.powi(size as i32 - 3);
        if mantissa < 8_388_608.0 {
            return (size << 24) | (mantissa.floor() as u32);
        }
    }
    POW_LIMIT_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_round_trips_known_values() {
        // Genesis / difficulty 1.
        let (t, neg, ovf) = U256::from_compact(POW_LIMIT_BITS);
        assert!(!neg && !ovf);
        assert_eq!(t.0, [0, 0, 0, 0x0000_0000_ffff_0000]);
        assert_eq!(t.to_compact(), POW_LIMIT_BITS);
        assert_eq!(difficulty_from_bits(POW_LIMIT_BITS), 1.0);
        // Block 840,000 (the 2024 halving): nBits 0x17034219, difficulty 86.388... T.
        let (t, _, _) = U256::from_compact(0x1703_4219);
        assert_eq!(t.to_compact(), 0x1703_4219);
        let d = difficulty_from_bits(0x1703_4219);
        assert!((d / 1e12 - 86.388_558_873_083).abs() < 1e-6, "{d}");
    }

    #[test]
    fn core_compact_test_vectors() {
        // From Bitcoin Core src/test/arith_uint256_tests.cpp (bignum_SetCompact).
        let cases: [(u32, u32); 7] = [
            (0x0000_0000, 0),
            (0x0112_3456, 0x0112_0000),
            (0x0100_3456, 0x0000_0000),
            (0x0212_3456, 0x0212_3400),
            (0x0312_3456, 0x0312_3456),
            (0x0412_3456, 0x0412_3456),
            (0x2012_3456, 0x2012_3456),
        ];
        for (input, expected) in cases {
            let (t, neg, ovf) = U256::from_compact(input);
            assert!(!neg && !ovf);
            assert_eq!(t.to_compact(), expected, "{input:#x}");
        }
        let (t, _, _) = U256::from_compact(0x0500_9234);
        assert_eq!(t.low_u64(), 0x9234_0000);
        assert_eq!(t.to_compact(), 0x0500_9234);
        // The sign bit: 0x04923456 decodes to 0x12345600 flagged negative.
        let (t, neg, _) = U256::from_compact(0x0492_3456);
        assert_eq!(t.low_u64(), 0x1234_5600);
        assert!(neg);
        // Overflow: an exponent too large for 256 bits.
        let (_, _, ovf) = U256::from_compact(0xff12_3456);
        assert!(ovf);
    }

    #[test]
    fn bits_from_difficulty_is_close_and_not_above() {
        for d in [1.0, 86.388e12, 150e12, 1.234_567e9] {
            let bits = bits_from_difficulty(d);
            let back = difficulty_from_bits(bits);
            assert!(back >= d * (1.0 - 1e-12), "{d} -> {back}");
            assert!((back - d) / d < 2e-5, "{d} -> {back}");
        }
    }

    #[test]
    fn arithmetic() {
        let a = U256([u64::MAX, 1, 0, 0]);
        assert_eq!(a.mul_u64(2), U256([u64::MAX - 1, 3, 0, 0]));
        assert_eq!(a.mul_u64(2).div_u64(2), a);
        assert_eq!(U256::from_u64(1).shl(200).shr(200), U256::from_u64(1));
        assert_eq!(U256::from_u64(1).shl(255).bits(), 256);
        assert!(U256::from_u64(1).shl(64) > U256::from_u64(u64::MAX));
    }
}
