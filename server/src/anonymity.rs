//! The ids of anonymous responses: HMAC-SHA-256 of the campaign and the person with a key the
//! server made on its first start and keeps in its database (so every server of one database
//! makes the same ids). The id is the same for a person's retries and second computer, and
//! nothing leads from the id back to the person without the key — nothing else stores who
//! answered.

use hmac::{Hmac, Mac};
use uuid::Uuid;

pub struct Anonymity {
    key: Vec<u8>,
}

impl Anonymity {
    pub fn new(key: Vec<u8>) -> Anonymity {
        Anonymity { key }
    }

    /// The id of `user`'s anonymous response to `campaign`.
    pub fn id(&self, campaign: Uuid, user: Uuid) -> Uuid {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(format!("anonymous_response/{campaign}/{user}").as_bytes());
        let bytes: [u8; 16] = mac.finalize().into_bytes()[..16]
            .try_into()
            .expect("16 of 32 bytes");
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_per_person_and_differ_between_keys() {
        let (c, u) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let a = Anonymity::new(vec![1; 32]);
        assert_eq!(a.id(c, u), a.id(c, u));
        assert_ne!(a.id(c, u), a.id(c, Uuid::from_u128(3)));
        assert_ne!(a.id(c, u), Anonymity::new(vec![2; 32]).id(c, u));
        assert_eq!(a.id(c, u).get_version_num(), 8);
    }
}
