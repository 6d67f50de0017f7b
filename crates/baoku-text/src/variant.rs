//! Script-blind matching keys: one character per set of interchangeable characters.
//!
//! OpenCC's t2s is not the inverse of s2t: 着 → 著 under s2t, but 著 stays 著 under t2s (likewise
//! 乾/干, 後/后, 髮/發/发, 鍾/鐘/钟). Folding both a document and a query with t2s alone misses
//! about 1 % of traditional-script queries. After [`crate::normalize`], [`fold`] maps each
//! character `c` to the fixpoint of `t2s(s2t(c))` (character by character), so every member
//! of such a set gets one key. OpenCC's phrase tables also pair characters that the
//! character tables keep apart (抵触 → 牴觸, 明了 → 明瞭); those pairs ([`PHRASE_PAIRS`]) join
//! their classes too, so a query converted phrase by phrase keys like its source. Used for
//! search and highlighting, never for display.

use std::collections::HashMap;
use std::sync::LazyLock;

use ferrous_opencc::{config::BuiltinConfig, OpenCC};

static TABLE: LazyLock<HashMap<char, char>> = LazyLock::new(build);

/// Character pairs that OpenCC's STPhrases/TSPhrases tables (Apache-2.0, the OpenCC project,
/// as shipped in ferrous-opencc 0.4) convert into each other inside phrases while the
/// character tables keep them apart. Regenerate with
/// `cargo run -p baoku-text --example phrase_pairs -- STPhrases.txt TSPhrases.txt`.
pub const PHRASE_PAIRS: &str = "么幺 了瞭 仇讎 仿彷 伕夫 俱具 借藉 划畫 只衹 吣唚 呆待 周賙 噁𫫇 坐座 复覆 并幷 庇蔽 \
    戚鏚 抬擡 抵牴 揹背 沈沉 浚濬 溪谿 澂澄 熏薰 着著 穗繐 苎苧 酰醯 鍊链 鮎鲶";

fn build() -> HashMap<char, char> {
    let s2t = OpenCC::from_config(BuiltinConfig::S2t).expect("embedded OpenCC s2t config");
    let t2s = OpenCC::from_config(BuiltinConfig::T2s).expect("embedded OpenCC t2s config");
    let one = |cc: &OpenCC, c: char| -> char {
        let mut buf = [0u8; 4];
        let out = cc.convert(c.encode_utf8(&mut buf));
        let mut it = out.chars();
        match (it.next(), it.next()) {
            (Some(o), None) => o,
            _ => c,
        }
    };
    let mut table = HashMap::new();
    for cp in (0x3400..=0x4DBF).chain(0x4E00..=0x9FFF).chain(0xF900..=0xFAFF) {
        let Some(c) = char::from_u32(cp) else { continue };
        let mut k = c;
        // Iterate to a fixpoint so that the key of a key is itself (fold is idempotent).
        for _ in 0..4 {
            let next = one(&t2s, one(&s2t, k));
            if next == k {
                break;
            }
            k = next;
        }
        if k != c {
            table.insert(c, k);
        }
    }
    for pair in PHRASE_PAIRS.split_whitespace() {
        let mut chars = pair.chars();
        let (Some(a), Some(b)) = (chars.next(), chars.next()) else {
            continue;
        };
        let key = |t: &HashMap<char, char>, c: char| t.get(&c).copied().unwrap_or(c);
        let (ka, kb) = (key(&table, a), key(&table, b));
        if ka == kb {
            continue;
        }
        // Join the two classes under the smaller key, so the result does not depend on order.
        let (keep, drop) = (ka.min(kb), ka.max(kb));
        for v in table.values_mut() {
            if *v == drop {
                *v = keep;
            }
        }
        table.insert(drop, keep);
        table.remove(&keep);
    }
    table
}

/// The matching key of one (already normalized) character.
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    TABLE.get(&c).copied().unwrap_or(c)
}

/// Folds every character of an already normalized text; character counts are kept, so
/// offset maps stay valid.
pub fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// Converts simplified text to traditional (OpenCC s2t), for tests and tools that need the
/// other script of a text.
pub fn to_traditional(s: &str) -> String {
    static S2T: LazyLock<OpenCC> = LazyLock::new(|| OpenCC::from_config(BuiltinConfig::S2t).expect("embedded s2t"));
    S2T.convert(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    fn key(s: &str) -> String {
        fold_str(&Normalizer::shared().normalize(s).text)
    }

    #[test]
    fn both_scripts_share_one_key() {
        for s in [
            "看着他",
            "头发",
            "以后",
            "干部",
            "钟表",
            "发展",
            "乾隆",
            "抵触态度",
            "指明了",
        ] {
            assert_eq!(key(s), key(&to_traditional(s)), "{s} / {}", to_traditional(s));
        }
        assert_eq!(key("ＡＢＣ１２３"), "abc123");
    }

    #[test]
    fn fold_is_idempotent() {
        for cp in 0x4E00..=0x9FFF {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(fold(fold(c)), fold(c), "{c}");
        }
    }
}
