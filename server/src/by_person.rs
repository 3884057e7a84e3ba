//! How much of something each person has under way at once (the bytes of their syncs, their
//! proofs of holding a file), so that one account cannot take what everybody shares.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

/// What each person (by account, or by login before one is known) has under way, within
/// `limit` each.
#[derive(Clone)]
pub struct ByPerson<K: Hash + Eq + Clone = Uuid> {
    held: Arc<Mutex<HashMap<K, u64>>>,
    limit: u64,
}

/// Something of a person under way and how much it counts for, for as long as it lives.
pub struct Underway<K: Hash + Eq + Clone = Uuid>(ByPerson<K>, K, u64);

impl<K: Hash + Eq + Clone> ByPerson<K> {
    pub fn new(limit: u64) -> ByPerson<K> {
        ByPerson {
            held: Arc::default(),
            limit,
        }
    }

    /// Counts `amount` for `person` while the answer lives; `None` when it would pass the limit.
    pub fn begin(&self, person: K, amount: u64) -> Option<Underway<K>> {
        let mut map = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let held = map.entry(person.clone()).or_default();
        if held.saturating_add(amount) > self.limit {
            if *held == 0 {
                map.remove(&person);
            }
            return None;
        }
        *held += amount;
        Some(Underway(self.clone(), person, amount))
    }
}

impl<K: Hash + Eq + Clone> Drop for Underway<K> {
    fn drop(&mut self) {
        let mut map = self.0.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = map.get_mut(&self.1) {
            *held = held.saturating_sub(self.2);
            if *held == 0 {
                map.remove(&self.1);
            }
        }
    }
}
