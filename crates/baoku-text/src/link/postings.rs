//! The linker's postings: shingle and band keys → the stories holding them.
//!
//! CCTV's 75 k stories hold 3 M anchor keys and 1.7 M band keys; every article looks each of
//! its keys up and then adds them, so linking waits on these tables' cache misses more than on
//! anything else. [`KeyTable`] keeps a key and its value in one 8-byte slot, eight slots to a
//! cache line, so that a look-up costs one miss where a general hash table (control bytes,
//! then the entry) costs two.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Key → list of story indices, compact when a key has one story (most keys). Lists longer
/// than the cap keep only their count.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Postings {
    /// High bit clear: the single story; set: index into `lists`.
    map: KeyTable,
    lists: Lists,
}

/// The high bit of a value: it indexes a list.
pub(super) const MANY: u32 = 1 << 31;

/// The longest list a chunk holds.
pub(super) const MAX_LIST: usize = 2 << (CLASSES - 1);

impl Postings {
    /// The number of stories holding `key` (also beyond the cap) and those listed.
    pub(super) fn get(&self, key: u32) -> (u32, impl Iterator<Item = u32> + '_) {
        let (n, single, list) = match self.map.get(key) {
            None => (0, None, &[][..]),
            Some(v) if v & MANY == 0 => (1, Some(v), &[][..]),
            Some(v) => {
                let (n, list) = self.lists.get(v & !MANY);
                (n, None, list)
            }
        };
        (n, single.into_iter().chain(list.iter().copied()))
    }

    /// Calls `f` with each story listed under each of `keys` (a story once per key); keys
    /// held by more than `cap` stories are left out and counted (the count is returned). In
    /// passes: the table look-ups, then the lists' heads, then the lists, so that the loads of
    /// a pass (cache misses: the tables are far larger than the caches) do not wait for each
    /// other.
    pub(super) fn stories_of(&self, keys: &[u32], cap: u32, mut f: impl FnMut(u32)) -> u32 {
        self.map.touch(keys);
        let found: Vec<u32> = keys.iter().filter_map(|&k| self.map.get(k)).collect();
        let mut heads = Vec::new();
        for &v in &found {
            if v & MANY == 0 {
                f(v);
            } else {
                heads.push(self.lists.heads[(v & !MANY) as usize]);
            }
        }
        let mut capped = 0;
        for h in heads {
            if h.n <= cap {
                self.lists.pool[h.at as usize..h.at as usize + usize::from(h.len)]
                    .iter()
                    .for_each(|&s| f(s));
            } else {
                capped += 1;
            }
        }
        capped
    }

    /// [`Postings::add`] for each key.
    pub(super) fn add_all(&mut self, keys: &[u32], story: u32, cap: u32) {
        self.map.touch(keys);
        for &k in keys {
            self.add(k, story, cap);
        }
    }

    /// Adds `story` under `key` unless listed; lists keep at most `cap` stories.
    pub(super) fn add(&mut self, key: u32, story: u32, cap: u32) {
        debug_assert!(story & MANY == 0);
        match self.map.insert_new(key, story) {
            Ok(()) => {}
            Err((slot, v)) if v & MANY == 0 => {
                if v != story {
                    let list = self.lists.push(2, &[v, story]);
                    self.map.set(slot, list | MANY);
                }
            }
            Err((_, v)) => self.lists.add(v & !MANY, story, cap),
        }
    }

    /// Keys.
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// Every (key, value) in no particular order.
    pub(super) fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.map.iter()
    }

    /// [`KeyTable::for_each_sorted`] of the entries.
    pub(super) fn for_each_sorted(&self, f: impl FnMut(u32, u32)) {
        self.map.for_each_sorted(f);
    }

    /// Every list as (count, stories), in order.
    pub(super) fn lists(&self) -> impl Iterator<Item = (u32, &[u32])> {
        self.lists.iter()
    }

    /// Postings with these entries (as [`Postings::entries`] gave them) and no list yet;
    /// `None` for a key out of range, a repeated key or a value that is no value.
    pub(super) fn with_entries(entries: &[(u64, u32)]) -> Option<Postings> {
        let mut p = Postings::default();
        p.map.reserve(entries.len());
        for &(k, v) in entries {
            if v == EMPTY_VALUE {
                return None;
            }
            p.map.insert_new(u32::try_from(k).ok()?, v).ok()?;
        }
        Some(p)
    }

    /// Appends a list, as [`Postings::lists`] gave it (at most [`MAX_LIST`] stories).
    pub(super) fn push_list(&mut self, n: u32, stories: &[u32]) {
        self.lists.push(n, &stories[..stories.len().min(MAX_LIST)]);
    }

    /// True when every value that names a list names one that is there.
    pub(super) fn lists_complete(&self) -> bool {
        self.map
            .iter()
            .all(|(_, v)| v & MANY == 0 || ((v & !MANY) as usize) < self.lists.len())
    }
}

/// The posting lists of [`Postings`] in one pool of story indices: each list has a chunk of
/// 2, 4, … 65,536 slots, moved to a chunk twice the size when full; chunks let go are reused by
/// lists of their size. About half the memory of a `Vec` per list (CCTV: 734 k lists).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<(u32, Vec<u32>)>", into = "Vec<(u32, Vec<u32>)>")]
struct Lists {
    heads: Vec<Head>,
    pool: Vec<u32>,
    /// Free chunks by size class.
    free: [Vec<u32>; CLASSES],
}

/// A list: its count (stories holding the key, also beyond the cap) and its chunk.
#[derive(Debug, Clone, Copy)]
struct Head {
    n: u32,
    at: u32,
    len: u16,
    /// Size class (`2 << class` slots); `NO_CHUNK` for an emptied list.
    class: u8,
}

const CLASSES: usize = 16;
const NO_CHUNK: u8 = u8::MAX;

impl Lists {
    fn len(&self) -> usize {
        self.heads.len()
    }

    fn get(&self, i: u32) -> (u32, &[u32]) {
        let h = self.heads[i as usize];
        (h.n, &self.pool[h.at as usize..h.at as usize + usize::from(h.len)])
    }

    /// Every list as (count, stories), in order.
    fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> {
        (0..self.heads.len() as u32).map(|i| self.get(i))
    }

    fn chunk(&mut self, class: usize) -> u32 {
        if let Some(at) = self.free[class].pop() {
            return at;
        }
        let at = self.pool.len();
        self.pool.resize(at + (2 << class), 0);
        at as u32
    }

    /// A new list with count `n` and these stories (at most [`MAX_LIST`]); returns its index.
    fn push(&mut self, n: u32, stories: &[u32]) -> u32 {
        let mut head = Head {
            n,
            at: 0,
            len: stories.len() as u16,
            class: NO_CHUNK,
        };
        if !stories.is_empty() {
            let class = (0..CLASSES)
                .find(|&c| 2 << c >= stories.len())
                .expect("a list fits a chunk");
            head.at = self.chunk(class);
            head.class = class as u8;
            self.pool[head.at as usize..head.at as usize + stories.len()].copy_from_slice(stories);
        }
        self.heads.push(head);
        (self.heads.len() - 1) as u32
    }

    /// [`Postings::add`] for a list.
    fn add(&mut self, i: u32, story: u32, cap: u32) {
        let mut h = self.heads[i as usize];
        if h.n > cap {
            h.n = h.n.saturating_add(1);
        } else if !self.get(i).1.contains(&story) {
            h.n += 1;
            if h.n > cap {
                if h.class != NO_CHUNK {
                    self.free[usize::from(h.class)].push(h.at);
                }
                (h.at, h.len, h.class) = (0, 0, NO_CHUNK);
            } else {
                if h.class == NO_CHUNK || usize::from(h.len) == 2 << h.class {
                    let class = if h.class == NO_CHUNK {
                        0
                    } else {
                        usize::from(h.class) + 1
                    };
                    assert!(
                        class < CLASSES,
                        "posting lists hold at most {MAX_LIST} stories (cap {cap})"
                    );
                    let at = self.chunk(class);
                    self.pool
                        .copy_within(h.at as usize..h.at as usize + usize::from(h.len), at as usize);
                    if h.class != NO_CHUNK {
                        self.free[usize::from(h.class)].push(h.at);
                    }
                    (h.at, h.class) = (at, class as u8);
                }
                self.pool[h.at as usize + usize::from(h.len)] = story;
                h.len += 1;
            }
        }
        self.heads[i as usize] = h;
    }
}

impl From<Vec<(u32, Vec<u32>)>> for Lists {
    fn from(v: Vec<(u32, Vec<u32>)>) -> Lists {
        let mut l = Lists::default();
        for (n, s) in v {
            l.push(n, &s[..s.len().min(MAX_LIST)]);
        }
        l
    }
}

impl From<Lists> for Vec<(u32, Vec<u32>)> {
    fn from(l: Lists) -> Self {
        l.iter().map(|(n, s)| (n, s.to_vec())).collect()
    }
}

/// A map of u32 keys (already hashes) to u32 values other than `u32::MAX`: open addressing
/// with linear probing over buckets of one cache line. A slot is `key << 32 | value`,
/// `u64::MAX` when empty; slots of a bucket fill in order and nothing is removed, so a
/// search ends at the first empty slot. Grows at 7/8 full, as hashbrown does.
///
/// A key's top bits choose its bucket (the keys are hashes): the buckets hold the keys in
/// nearly ascending order, so that [`KeyTable::for_each_sorted`] sorts only the few keys of
/// each run of full buckets, not the whole table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "HashMap<u32, u32>", into = "HashMap<u32, u32>")]
pub(super) struct KeyTable {
    buckets: Vec<Bucket>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Bucket([u64; SLOTS]);

const SLOTS: usize = 8;
const EMPTY: u64 = u64::MAX;
const EMPTY_VALUE: u32 = u32::MAX;

impl KeyTable {
    fn home(&self, key: u32) -> usize {
        // the top bits, as a fraction of the table (`buckets` is a power of two)
        ((u64::from(key) * self.buckets.len() as u64) >> 32) as usize
    }

    /// The slot holding `key` (bucket · 8 + slot), or the empty slot where it would go.
    fn find(&self, key: u32) -> (usize, bool) {
        let mask = self.buckets.len() - 1;
        let mut b = self.home(key);
        loop {
            for (i, &s) in self.buckets[b].0.iter().enumerate() {
                if s == EMPTY {
                    return (b * SLOTS + i, false);
                }
                if (s >> 32) as u32 == key {
                    return (b * SLOTS + i, true);
                }
            }
            b = (b + 1) & mask;
        }
    }

    /// Reads the home bucket of each key, so that the cache misses of a batch of look-ups
    /// overlap: a loop of loads that nothing branches on keeps many in flight, where the
    /// look-ups themselves, each ending in a branch on what it found, kept few.
    fn touch(&self, keys: &[u32]) {
        if self.buckets.is_empty() {
            return;
        }
        let sum = keys.iter().fold(0u64, |acc, &k| acc ^ self.buckets[self.home(k)].0[0]);
        std::hint::black_box(sum);
    }

    pub(super) fn get(&self, key: u32) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let (at, found) = self.find(key);
        found.then(|| self.buckets[at / SLOTS].0[at % SLOTS] as u32)
    }

    /// Inserts `key` with `value` unless present; when present gives back its slot and value.
    pub(super) fn insert_new(&mut self, key: u32, value: u32) -> Result<(), (usize, u32)> {
        assert!(value != EMPTY_VALUE, "u32::MAX is not a value");
        if (self.len + 1) * 8 > self.buckets.len() * SLOTS * 7 {
            self.grow();
        }
        let (at, found) = self.find(key);
        let slot = &mut self.buckets[at / SLOTS].0[at % SLOTS];
        if found {
            return Err((at, *slot as u32));
        }
        *slot = u64::from(key) << 32 | u64::from(value);
        self.len += 1;
        Ok(())
    }

    /// Replaces the value in a slot [`KeyTable::insert_new`] gave back.
    pub(super) fn set(&mut self, at: usize, value: u32) {
        assert!(value != EMPTY_VALUE, "u32::MAX is not a value");
        let slot = &mut self.buckets[at / SLOTS].0[at % SLOTS];
        *slot = (*slot & !0xffff_ffff) | u64::from(value);
    }

    /// Room for `n` keys without growing.
    pub(super) fn reserve(&mut self, n: usize) {
        while n * 8 > self.buckets.len() * SLOTS * 7 {
            self.grow();
        }
    }

    fn grow(&mut self) {
        let n = (self.buckets.len() * 2).max(1);
        let old = std::mem::replace(&mut self.buckets, vec![Bucket([EMPTY; SLOTS]); n]);
        for s in old.iter().flat_map(|b| b.0) {
            if s != EMPTY {
                let (at, _) = self.find((s >> 32) as u32);
                self.buckets[at / SLOTS].0[at % SLOTS] = s;
            }
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Calls `f` with every (key, value) in ascending key order. A key sits in its home
    /// bucket or after it, never past a bucket with a free slot: the keys up to such a bucket
    /// are sorted together. Keys whose search wrapped past the table's end to its start go
    /// with the last run.
    pub(super) fn for_each_sorted(&self, mut f: impl FnMut(u32, u32)) {
        let (mut run, mut wrapped) = (Vec::new(), Vec::new());
        let mut in_first_run = true;
        for (b, bucket) in self.buckets.iter().enumerate() {
            for &s in &bucket.0 {
                if s == EMPTY {
                    break;
                }
                if in_first_run && self.home((s >> 32) as u32) > b {
                    wrapped.push(s);
                } else {
                    run.push(s);
                }
            }
            if bucket.0[SLOTS - 1] == EMPTY {
                in_first_run = false;
                run.sort_unstable();
                for s in run.drain(..) {
                    f((s >> 32) as u32, s as u32);
                }
            }
        }
        run.append(&mut wrapped);
        run.sort_unstable();
        for s in run {
            f((s >> 32) as u32, s as u32);
        }
    }

    /// Every (key, value), in slot order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.buckets
            .iter()
            .flat_map(|b| b.0)
            .filter(|&s| s != EMPTY)
            .map(|s| ((s >> 32) as u32, s as u32))
    }
}

impl From<HashMap<u32, u32>> for KeyTable {
    fn from(m: HashMap<u32, u32>) -> KeyTable {
        let mut t = KeyTable::default();
        t.reserve(m.len());
        // `u32::MAX` is no value (a damaged state): left out rather than a panic
        for (k, v) in m.into_iter().filter(|&(_, v)| v != EMPTY_VALUE) {
            let _ = t.insert_new(k, v);
        }
        t
    }
}

impl From<KeyTable> for HashMap<u32, u32> {
    fn from(t: KeyTable) -> Self {
        t.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    proptest::proptest! {
        #[test]
        fn the_table_keeps_what_a_map_keeps(entries in proptest::collection::vec((proptest::prelude::any::<u32>(), 0u32..MANY), 0..3000), small in proptest::prelude::any::<bool>()) {
            // small keys all have the first bucket as home: runs that wrap past the end
            let key = |k: u32| if small { k % 5000 } else { k };
            let (mut t, mut model) = (KeyTable::default(), BTreeMap::new());
            for &(k, v) in &entries {
                let k = key(k);
                let before = model.get(&k).copied();
                match (t.insert_new(k, v), before) {
                    (Ok(()), None) => {
                        model.insert(k, v);
                    }
                    (Err((_, got)), Some(want)) => proptest::prop_assert_eq!(got, want),
                    (r, b) => proptest::prop_assert!(false, "{r:?} {b:?}"),
                }
            }
            proptest::prop_assert_eq!(t.len(), model.len());
            for (&k, &v) in &model {
                proptest::prop_assert_eq!(t.get(k), Some(v));
            }
            let mut sorted = Vec::new();
            t.for_each_sorted(|k, v| sorted.push((k, v)));
            proptest::prop_assert_eq!(sorted, model.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_json_state_with_no_value_is_read_without_it() {
        let t: KeyTable = serde_json::from_str(r#"{"5": 4294967295, "6": 2}"#).unwrap();
        assert_eq!((t.get(5), t.get(6), t.len()), (None, Some(2), 1));
    }

    #[test]
    fn keys_at_the_top_wrap_to_the_start_and_stay_sorted() {
        let mut t = KeyTable::default();
        t.reserve(100);
        let n = t.buckets.len() * SLOTS;
        // more keys than the last bucket holds, all homed there
        let keys: Vec<u32> = (0..20).map(|i| u32::MAX - i).collect();
        for &k in &keys {
            t.insert_new(k, 1).unwrap();
        }
        t.insert_new(3, 2).unwrap();
        assert!(n >= 21);
        let mut sorted = Vec::new();
        t.for_each_sorted(|k, _| sorted.push(k));
        let mut want = keys.clone();
        want.push(3);
        want.sort_unstable();
        assert_eq!(sorted, want);
        assert_eq!(t.get(u32::MAX - 19), Some(1));
    }
}
