//! Random streams: one independent generator per source of randomness.
//!
//! A stream is identified by `(seed, replication, name)`. Its state is a hash of those three, so
//! adding, removing or changing one source never shifts the draws of any other: paired what-if
//! runs share common random numbers. There is no global or thread-local generator anywhere.
//!
//! The hash is written out here (FNV-1a over the name, mixed with SplitMix64) rather than taken
//! from `std::hash`, whose output is not promised to stay the same across Rust releases; the
//! generator is PCG-64 (`rand_pcg::Pcg64Mcg`), whose output is specified and portable.

use rand_pcg::Pcg64Mcg;

/// The generator type of every stream.
pub type Stream = Pcg64Mcg;

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The 128-bit state of stream `name` in `replication` of a run seeded with `seed`.
pub fn stream_state(seed: u64, replication: u32, name: &str) -> u128 {
    let a = splitmix64(seed ^ splitmix64(replication as u64 ^ 0x5EED));
    let b = splitmix64(a ^ fnv1a(name.as_bytes()));
    let hi = splitmix64(b);
    let lo = splitmix64(hi ^ b.rotate_left(17));
    ((hi as u128) << 64) | lo as u128
}

/// The generator for stream `name` in `replication` of a run seeded with `seed`.
pub fn stream(seed: u64, replication: u32, name: &str) -> Stream {
    Pcg64Mcg::new(stream_state(seed, replication, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_distinct_and_stable() {
        let mut a = stream(7, 0, "node:gate:service");
        let mut a2 = stream(7, 0, "node:gate:service");
        let mut b = stream(7, 0, "node:yard:service");
        let mut c = stream(7, 1, "node:gate:service");
        let mut d = stream(8, 0, "node:gate:service");
        let x = a.next_u64();
        assert_eq!(x, a2.next_u64());
        assert_ne!(x, b.next_u64());
        assert_ne!(x, c.next_u64());
        assert_ne!(x, d.next_u64());
    }

    /// Golden values: the stream derivation is part of the reproducibility contract, so a change
    /// to it must be deliberate (it changes every shipped result). Literal values, not a stream
    /// compared with itself.
    #[test]
    fn derivation_is_pinned() {
        for &(seed, rep, name, state, first, second) in PINNED {
            assert_eq!(stream_state(seed, rep, name), state, "state of {name:?}");
            let mut s = stream(seed, rep, name);
            assert_eq!(
                (s.next_u64(), s.next_u64()),
                (first, second),
                "draws of {name:?}"
            );
        }
    }

    /// (seed, replication, name, state, first draw, second draw).
    const PINNED: &[(u64, u32, &str, u128, u64, u64)] = &[
        (
            1,
            0,
            "flow:box:arrivals",
            0x4fea13ca1cd5e88252e203c934e8e911,
            0xaddf71f4388c9713,
            0xd33015fe1336cf0d,
        ),
        (
            2024,
            3,
            "node:BCP_KHORGOS_ALTYNKOL:documents",
            0x944988e1fcda338a3ab671ba4aba3f4e,
            0xfaa25f0a3cbcbbb6,
            0x234204fce8bcc986,
        ),
        (
            7,
            9,
            "service:caspian-feeder:weather",
            0x31970a995df8d8b7fa98a397f05513b2,
            0xbf6a097a986bda45,
            0xfaaedd43db1e0ce6,
        ),
        (
            u64::MAX,
            u32::MAX,
            "",
            0x0229223df5789ab62936612313f68392,
            0x551e4decf96d645f,
            0xea9a648a31e44fd4,
        ),
    ];
}
