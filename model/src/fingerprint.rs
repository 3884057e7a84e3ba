//! FNV-1a, 64 bits: a small stable hash for fingerprints and derived ids, the same on every
//! device and on the server (not for security: what must not be guessed uses a keyed hash on
//! the server).

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::default();
    h.add(bytes);
    h.0
}

/// The FNV-1a hash of a value's JSON, written straight into the hash (no copy of the text).
pub fn fnv1a_of_json<T: serde::Serialize + ?Sized>(value: &T) -> u64 {
    let mut h = Fnv1a::default();
    // Writing into the hash cannot fail, and serialising these types does not either.
    let _ = serde_json::to_writer(&mut h, value);
    h.0
}

/// FNV-1a fed piece by piece: the same hash as of the pieces joined.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.add(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values() {
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn of_json_hashes_the_json_text() {
        let value = serde_json::json!({"поле": [1, 2.5, "текст"], "b": null});
        let text = serde_json::to_vec(&value).unwrap();
        assert_eq!(super::fnv1a_of_json(&value), super::fnv1a(&text));
    }
}
