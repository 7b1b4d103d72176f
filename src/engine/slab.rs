//! A slab: values in a vector, freed slots reused (last freed, first reused, so the slot
//! written next is the one most likely still in cache), each handed out with a [`Key`] whose
//! generation tells a live value from a slot reused since.
//!
//! The simulation keeps its consignments in flight here (see `benches/README.md`, "Consignments
//! in a slab"): inserting and removing cost a few instructions, against about 77 ns for an
//! entity spawned and despawned, and a lookup is an index and one comparison instead of a
//! component lookup by type. Memory follows the most values alive at once, never how many
//! passed through.

/// The handle of a value in a [`Slab`]: its slot and the slot's generation when it was
/// inserted. 8 bytes, `Copy`, ordered by slot then generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    index: u32,
    generation: u32,
}

impl Key {
    /// The slot, for side tables indexed like the slab (dense, reused as the slab's slots are).
    #[inline]
    pub fn slot(self) -> usize {
        self.index as usize
    }
}

/// Values of type `T` by [`Key`]. A slot's generation is odd while it holds a live value and
/// even while it is free, so the live values can be counted from the slots themselves.
///
/// A slot keeps its generation beside its value: a lookup checks the generation and reads the
/// value from the same cache line or the next, one miss where a separate vector of generations
/// made two (benches/README.md, "Issue 14: a consignment's route as one block of steps").
#[derive(Clone, Debug)]
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

/// A value and its slot's generation.
#[derive(Clone, Debug)]
struct Slot<T> {
    generation: u32,
    value: T,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// An empty slab.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` in the last freed slot, or a new one; its key.
    #[inline]
    pub fn insert(&mut self, value: T) -> Key {
        match self.free.pop() {
            Some(index) => {
                let s = &mut self.slots[index as usize];
                s.value = value;
                s.generation = s.generation.wrapping_add(1);
                Key {
                    index,
                    generation: s.generation,
                }
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 slots");
                self.slots.push(Slot {
                    generation: 1,
                    value,
                });
                Key {
                    index,
                    generation: 1,
                }
            }
        }
    }

    /// The live value of `key`, or `None` if it was removed (and its slot perhaps reused).
    #[inline]
    pub fn get(&self, key: Key) -> Option<&T> {
        match self.slots.get(key.index as usize) {
            Some(s) if s.generation == key.generation => Some(&s.value),
            _ => None,
        }
    }

    /// The live value of `key`, mutably, or `None` if it was removed.
    #[inline]
    pub fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        match self.slots.get_mut(key.index as usize) {
            Some(s) if s.generation == key.generation => Some(&mut s.value),
            _ => None,
        }
    }

    /// Frees the slot of `key`; false if it was not live. The value stays in the slot until
    /// it is reused (values are plain data here), unreachable through any key.
    #[inline]
    pub fn remove(&mut self, key: Key) -> bool {
        match self.slots.get_mut(key.index as usize) {
            Some(s) if s.generation == key.generation => {
                s.generation = s.generation.wrapping_add(1);
                self.free.push(key.index);
                true
            }
            _ => false,
        }
    }

    /// Starts loading the slot of `key` into the caches (see [`super::prefetch`]): its value
    /// and its generation, which may span two cache lines.
    #[inline(always)]
    pub fn prefetch(&self, key: Key) {
        if let Some(s) = self.slots.get(key.index as usize) {
            super::prefetch::prefetch(&s.value);
            super::prefetch::prefetch(&s.generation);
        }
    }

    /// The live values with their keys, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Key, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.generation % 2 == 1)
            .map(|(i, s)| {
                let key = Key {
                    index: i as u32,
                    generation: s.generation,
                };
                (key, &s.value)
            })
    }

    /// How many values are live, counted from the slots (not a counter).
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.generation % 2 == 1).count()
    }

    /// True if no value is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of slots: the most values ever live at once.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_find_their_values_and_stale_keys_find_nothing() {
        let mut s = Slab::new();
        let a = s.insert(10);
        let b = s.insert(20);
        assert_eq!(s.get(a), Some(&10));
        assert!(s.remove(a));
        assert!(!s.remove(a), "removed twice");
        assert_eq!(s.get(a), None);
        let c = s.insert(30);
        assert_eq!(c.slot(), a.slot(), "the freed slot is reused");
        assert_ne!(c, a);
        assert_eq!(s.get(a), None, "a stale key does not see the new value");
        assert_eq!(s.get_mut(a), None);
        assert_eq!(s.get(c), Some(&30));
        *s.get_mut(b).expect("live") += 1;
        assert_eq!(s.iter().map(|(_, v)| *v).collect::<Vec<_>>(), vec![30, 21]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.slots(), 2);
    }

    #[test]
    fn slots_follow_the_most_alive_at_once_and_reuse_is_last_freed_first() {
        let mut s = Slab::new();
        let keys: Vec<Key> = (0..100).map(|i| s.insert(i)).collect();
        for k in &keys[..60] {
            s.remove(*k);
        }
        assert_eq!(s.len(), 40);
        assert!(!s.is_empty());
        for round in 0..1000 {
            let k = s.insert(round);
            assert_eq!(k.slot(), keys[59].slot(), "the last freed slot comes back");
            s.remove(k);
        }
        assert_eq!(s.slots(), 100);
        let mut shadow = std::collections::BTreeMap::new();
        for (k, v) in s.iter() {
            shadow.insert(k, *v);
        }
        assert_eq!(shadow.len(), 40);
        assert!(shadow.values().all(|v| *v >= 60));
    }
}
