//! A cache of bounded size: past its capacity the oldest entry goes, so a run
//! over a million names keeps a few thousand replies, not a million.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// At most `capacity` entries; inserting past it drops the oldest.
#[derive(Debug)]
pub struct Recent<K, V> {
    entries: HashMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> Recent<K, V> {
    /// An empty cache of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Recent {
            entries: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The entry of `key`, if held.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    /// Hold `value` under `key` (replacing an entry in its place, or dropping
    /// the oldest when full).
    pub fn insert(&mut self, key: K, value: V) {
        if let Some(held) = self.entries.get_mut(&key) {
            *held = value;
            return;
        }
        if self.entries.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.entries.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.entries.insert(key, value);
    }

    /// How many entries are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_goes_past_capacity() {
        let mut cache = Recent::new(3);
        for n in 0..10 {
            cache.insert(n, n * 10);
        }
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&6), None);
        assert_eq!(cache.get(&7), Some(&70));
        assert_eq!(cache.get(&9), Some(&90));
    }

    #[test]
    fn replacing_keeps_one_entry_per_key() {
        let mut cache = Recent::new(2);
        for _ in 0..100 {
            cache.insert("a", 1);
        }
        cache.insert("a", 2);
        cache.insert("b", 3);
        assert_eq!((cache.get(&"a"), cache.get(&"b")), (Some(&2), Some(&3)));
        assert_eq!(cache.order.len(), 2);
        cache.insert("c", 4);
        assert_eq!(cache.get(&"a"), None);
    }
}
