//! Article metadata: language, script, dateline (place, agency, date), reporters.
//!
//! Everything here reads the article's own text: the dateline that opens a report
//! (`新华社北京10月1日电`, `本报北京9月30日电`, `本报讯`, `据新华社…`, `央视网消息`), the sign-off
//! that may close it instead (`（新华社北京10月1日电  记者林晖、熊丰）`), and bylines
//! (`（记者朱基钗）`, `本报记者 张三`, `记者 李四 王五`).

use crate::model::Article;

/// Fills in what can be read off an article's own text: language, script, and what the
/// dateline and credits say. Fields already set (from a JSONL record) are kept.
pub fn describe(a: &mut Article) {
    if a.lang.is_empty() {
        a.lang = lang(&a.text).to_string();
    }
    if a.script.is_empty() {
        a.script = script(&a.text, &a.lang).to_string();
    }
    let d = dateline(&a.text);
    if a.agency.is_none() {
        a.agency = d.as_ref().and_then(|d| d.agency.clone());
    }
    if a.place.is_none() {
        a.place = d.as_ref().and_then(|d| d.place.clone());
    }
    if a.reporters.is_empty() {
        a.reporters = reporters(&a.text);
    }
    if a.date.is_none() {
        a.date = web_credit_date(&a.text);
    }
    if a.date.is_none() {
        if let Some((m, day)) = d.as_ref().and_then(|d| d.month_day) {
            // Only the month and day are printed; without an issue date the year is unknown.
            a.warnings.push(format!(
                "no issue date; dateline says {m}月{day}日 but gives no year, date left unset"
            ));
        } else if a.lang == "zh" {
            a.warnings.push("no issue date found".into());
        }
    }
}

/// The date of a web-page credit line opening the text:
/// `Source: Xinhua | 2024-03-12 17:42:05 | Editor: …`, `来源：新华网 | 2024-03-12`.
fn web_credit_date(text: &str) -> Option<String> {
    credit_line_date(text.lines().next()?)
}

/// True for a web-page credit line (`Source: Xinhua | 2024-03-12 17:42:05 | Editor: …`): a
/// line of its own, never the start of a paragraph that layout broke.
pub(crate) fn is_web_credit(line: &str) -> bool {
    credit_line_date(line).is_some()
}

fn credit_line_date(first: &str) -> Option<String> {
    let head = first.get(..first.len().min(200)).unwrap_or(first);
    if !head.contains('|') {
        return None;
    }
    head.split('|').find_map(|part| {
        let part = part.trim();
        let date = part.get(..10)?;
        let b = date.as_bytes();
        (b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit))
            .then(|| normalize_date(date))
            .flatten()
    })
}

/// What a dateline says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dateline {
    /// `新华社`, `本报`, `央视网`, `Xinhua`…
    pub agency: Option<String>,
    /// `北京` in `新华社北京10月1日电`.
    pub place: Option<String>,
    /// Month and day (`10月1日电`).
    pub month_day: Option<(u32, u32)>,
}

/// Agencies and outlets that open a dateline, longest first so `据新华社` wins over `新华社`.
const AGENCIES: [(&str, &str); 22] = [
    ("据新华社", "新华社"),
    ("據新華社", "新華社"),
    ("据中新社", "中新社"),
    ("据人民网", "人民网"),
    ("央视网消息", "央视网"),
    ("新华社", "新华社"),
    ("新華社", "新華社"),
    ("中新社", "中新社"),
    ("中新网", "中新网"),
    ("人民网", "人民网"),
    ("人民網", "人民網"),
    ("新华网", "新华网"),
    ("新華網", "新華網"),
    ("央视网", "央视网"),
    ("光明网", "光明网"),
    ("本报讯", "本报"),
    ("本報訊", "本報"),
    ("本报", "本报"),
    ("本報", "本報"),
    ("经济日报", "经济日报"),
    ("光明日报", "光明日报"),
    ("中国日报", "中国日报"),
];

/// Reads the dateline at the start of the text (under a web-page credit line, if one opens
/// it), or failing that in a closing sign-off.
pub fn dateline(text: &str) -> Option<Dateline> {
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or("");
    if is_web_credit(first) {
        first = lines.next().unwrap_or("");
    }
    if let Some(d) = parse_dateline(first) {
        return Some(d);
    }
    if let Some(d) = english_dateline(first) {
        return Some(d);
    }
    // A sign-off: the last line, bracketed.
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let inner = last.strip_prefix(['（', '('])?;
    parse_dateline(inner)
}

/// `<agency><place><M>月<D>日电` at the start of `s`.
fn parse_dateline(s: &str) -> Option<Dateline> {
    let s = s.trim_start();
    let (prefix, agency) = AGENCIES.iter().find(|(p, _)| s.starts_with(p))?;
    let mut d = Dateline {
        agency: Some(agency.to_string()),
        ..Dateline::default()
    };
    let rest = &s[prefix.len()..];
    if prefix.ends_with('讯') || prefix.ends_with('訊') || prefix.ends_with("消息") {
        return Some(d);
    }
    // Place: CJK characters (and `、` between several places) up to the month digits.
    let place_end = rest.find(|c: char| !(is_cjk(c) || c == '、')).unwrap_or(rest.len());
    let place = &rest[..place_end];
    let after = &rest[place_end..];
    let (m, after) = leading_number(after)?;
    let after = after.strip_prefix('月')?;
    let (day, after) = leading_number(after)?;
    let after = after.strip_prefix('日')?;
    if !(after.starts_with('电') || after.starts_with('電')) {
        return None;
    }
    if place.chars().count() > 12 {
        return None;
    }
    if !place.is_empty() {
        d.place = Some(place.to_string());
    }
    ((1..=12).contains(&m) && (1..=31).contains(&day)).then(|| {
        d.month_day = Some((m, day));
        d
    })
}

/// `BEIJING, March 20 (Xinhua) --`.
fn english_dateline(s: &str) -> Option<Dateline> {
    let open = s.find('(')?;
    let close = open + s[open..].find(')')?;
    if open > 60 || !s[close..].trim_start_matches(')').trim_start().starts_with("--") {
        return None;
    }
    let agency = s[open + 1..close].trim().to_string();
    let place = s[..open].split(',').next()?.trim();
    let is_upper = !place.is_empty() && place.chars().all(|c| c.is_ascii_uppercase() || c == ' ');
    Some(Dateline {
        agency: Some(agency),
        place: is_upper.then(|| place.to_string()),
        month_day: None,
    })
}

fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 2 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// Reporter names from `（记者朱基钗）`, `记者林晖、熊丰` in a sign-off, or a byline
/// line `本报记者 张三` / `记者 李四 王五`. The first such credit found wins.
pub fn reporters(text: &str) -> Vec<String> {
    for line in text.lines().take(3).chain(text.lines().rev().take(2)) {
        let names = names_after_reporter(line);
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// Names after the first `记者`/`記者` in `line`, up to a closing bracket.
fn names_after_reporter(line: &str) -> Vec<String> {
    // The 120 characters looked at lie within the first 480 bytes: most lines have no
    // `记者` there, and are turned away without counting characters.
    let mut end = line.len().min(480);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    if !line[..end].contains("记者") && !line[..end].contains("記者") {
        return Vec::new();
    }
    let head = crate::split::prefix_chars(line, 120);
    let Some(at) = head.find("记者").or_else(|| head.find("記者")) else {
        return Vec::new();
    };
    // Only credits: right after a bracket or dateline, or a byline line.
    let before = &head[..at];
    let credit = before.is_empty()
        || before.ends_with(['（', '(', ' ', '\u{3000}', '\u{a0}'])
        || ["本报", "本報", "新华社", "新華社", "电", "電", "中新社", "人民网"]
            .iter()
            .any(|p| before.ends_with(p));
    if !credit {
        return Vec::new();
    }
    let rest = &head[at + "记者".len()..];
    let end = rest.find(['）', ')', '。', '，', ',']).unwrap_or(rest.len());
    let inside = &rest[..end];
    if end == rest.len() && chars(line) > 30 {
        return Vec::new(); // not a bracketed credit nor a byline line
    }
    let mut out = Vec::new();
    // Names are separated by `、`, spaces; a name written `刘  潇` keeps its internal gap
    // only when both halves are single characters.
    let parts: Vec<&str> = inside
        .split(['、', ' ', '\u{3000}', '\u{a0}'])
        .filter(|p| !p.is_empty())
        .collect();
    let mut i = 0;
    while i < parts.len() {
        let p = parts[i];
        if chars(p) == 1 && i + 1 < parts.len() && chars(parts[i + 1]) == 1 {
            out.push(format!("{}{}", p, parts[i + 1]));
            i += 2;
            continue;
        }
        if (2..=4).contains(&chars(p)) && p.chars().all(is_cjk) {
            out.push(p.to_string());
        } else if chars(p) > 4 {
            break; // not a name: the credit is over
        }
        i += 1;
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `en` or `zh` by [`detect_lang`](crate::translate::detect_lang), the one language test of
/// the crate; where it cannot tell (too short, other scripts), Latin letters without Han
/// characters are `en` and the rest `zh`, the archive's default.
pub fn lang(text: &str) -> &'static str {
    use crate::translate::{detect_lang, Lang};
    match detect_lang(text) {
        Some(Lang::En) => "en",
        Some(Lang::Zh) => "zh",
        None if !text.chars().any(is_cjk) && text.chars().any(|c| c.is_ascii_alphabetic()) => "en",
        None => "zh",
    }
}

/// `Hans`, `Hant` or `Latn` for a text in language `lang`: Chinese text is `Hant` when at
/// least 3% of its first 4,000 CJK characters are traditional-only forms from [`TRADITIONAL`].
pub fn script(text: &str, lang: &str) -> &'static str {
    if lang == "en" {
        return "Latn";
    }
    let (mut cjk, mut trad) = (0usize, 0usize);
    for c in text.chars().filter(|&c| is_cjk(c)).take(4000) {
        cjk += 1;
        trad += is_traditional(c) as usize;
    }
    if cjk > 0 && trad * 100 >= cjk * 3 {
        "Hant"
    } else {
        "Hans"
    }
}

/// The 400 most frequent characters of traditional-script Chinese news whose simplified form
/// is a different character, most frequent first. Compiled for baoku by counting characters
/// in People's Daily articles (Oct 2019, Jan 2020) set in traditional script and keeping those
/// that never occur in 4.3 million characters of the same months in simplified script; a
/// table of facts about the writing system, not text of the articles.
const TRADITIONAL: [&str; 10] = [
    "國發為會業來進動個體實經黨時區現對開們這產學務關設強記創與過堅機濟員將貧場總題義",
    "領內從萬習兩資當後書點問說電導組華眾統規間護應裡項戰運還優決報數質術傳網聯際門辦",
    "車歷調東標態風帶讓級處農續變結幹縣環斷勢論織軍種達條團參協難專議廣鄉線計頭據隊構",
    "責氣確無並節舉脫層園準張樣轉沒觀興認億歐戶權類遊積單邊鬥營範極見視穩採偉價費顯劃",
    "驗復別給緬醫職慶奮嚴維監爭幾紅滿識係紀終養備麼馬屆話負綠講選遠礎佈約雙熱揮爾鎮響",
    "僅製證執圖黃訪緊藝願愛幫連繼踐貿圍樹賽獲兒師險亞雲擔則獻裝隨藥親鐵館離課臨龍評須",
    "夢該週況歲樂減預聞聲貫檢寧餘獎陽試號綜勝許歡蘭寫稱衛豐絡較貴榮順鍵剛飛揚啟訓夠紹",
    "聽違徹細溫蘇輕佔汙財談麗贏徵讀鏈壓請蓋貨階崗審畫樓獨謀銷錄擴覺貢壇測編勞勵陳塊額",
    "訴補紛擊語練購競換銀劇劉納適寶針婦羅頻壯卻遞擁鮮楊屬橋繞駐覽廠勁買雜腳狀攝療邁畝",
    "輸錢陸輪築績舊顧郵盡絕載鳥懷莊掃遺簽儀庫廳惡討稅閱蹟陣噸籌灣賀輝擇遷簡潔溝吳圓潛",
];

fn is_traditional(c: char) -> bool {
    use std::sync::OnceLock;
    // A bit per code point of the basic CJK block, where all of them lie: this runs on every
    // character of every article.
    const BASE: u32 = 0x4E00;
    static BITS: OnceLock<Vec<u64>> = OnceLock::new();
    let bits = BITS.get_or_init(|| {
        let mut b = vec![0u64; (0xA000 - BASE as usize) / 64];
        for c in TRADITIONAL.iter().flat_map(|s| s.chars()) {
            let i = c as usize - BASE as usize;
            b[i / 64] |= 1 << (i % 64);
        }
        b
    });
    let Some(i) = (c as u32).checked_sub(BASE).map(|i| i as usize) else {
        return false;
    };
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// True for CJK unified ideographs (basic block and extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Reads a date written as `2019-10-01`, `2019/10/1`, `20191001`, `2019年10月1日` or an
/// RFC 3339 timestamp, and gives it as `YYYY-MM-DD`.
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = match digits.as_slice() {
        [ymd] if s.len() >= 8 && *ymd >= 10_000_000 => (ymd / 10000, ymd / 100 % 100, ymd % 100),
        [y, m, d, ..] => (*y, *m, *d),
        _ => return None,
    };
    ((1800..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(text: &str) -> Article {
        let mut a = Article {
            text: text.to_string(),
            ..Article::default()
        };
        describe(&mut a);
        a
    }

    #[test]
    fn xinhua_dateline_and_bracketed_reporter() {
        let a = art("新华社长沙3月4日电  （记者周明、王江）湖南今天开始春耕。");
        assert_eq!(a.agency.as_deref(), Some("新华社"));
        assert_eq!(a.place.as_deref(), Some("长沙"));
        assert_eq!(a.reporters, vec!["周明", "王江"]);
        assert_eq!(a.lang, "zh");
        assert_eq!(a.script, "Hans");
        assert!(a.warnings.iter().any(|w| w.contains("3月4日")));
    }

    #[test]
    fn own_paper_and_news_flash() {
        let a = art("本报讯  山村通了公交车。");
        assert_eq!(a.agency.as_deref(), Some("本报"));
        assert_eq!(a.place, None);
        let a = art("据新华社杭州3月4日电  西湖边的桃花开了。");
        assert_eq!(a.agency.as_deref(), Some("新华社"));
        assert_eq!(a.place.as_deref(), Some("杭州"));
    }

    #[test]
    fn trailing_signoff_and_byline() {
        let a = art("湖水清了。\n鱼也回来了。\n（新华社南昌3月4日电  记者李湖、张山）");
        assert_eq!(a.agency.as_deref(), Some("新华社"));
        assert_eq!(a.place.as_deref(), Some("南昌"));
        assert_eq!(a.reporters, vec!["李湖", "张山"]);
        let a = art("本报记者  刘  洋\n湖水清了。");
        assert_eq!(a.reporters, vec!["刘洋"]);
        let a = art("记者 李四 王五\n湖水清了。");
        assert_eq!(a.reporters, vec!["李四", "王五"]);
    }

    #[test]
    fn a_credit_is_read_within_the_first_120_characters_of_a_line() {
        // four-byte characters: the credit starts at byte 400 and character 101
        let wide = "𠀀".repeat(100);
        assert_eq!(reporters(&format!("{wide}（记者张三）")), vec!["张三"]);
        let past = "湖".repeat(120);
        assert!(reporters(&format!("{past}（记者张三）")).is_empty());
    }

    #[test]
    fn kept_fields_are_not_overwritten() {
        let mut a = Article {
            text: "新华社长沙3月4日电  湖南今天开始春耕。".into(),
            agency: Some("人民日报".into()),
            date: Some("2020-03-05".into()),
            ..Article::default()
        };
        describe(&mut a);
        assert_eq!(a.agency.as_deref(), Some("人民日报"));
        assert_eq!(a.place.as_deref(), Some("长沙"));
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn short_and_mixed_texts_get_a_language() {
        assert_eq!(lang("Xi meets Biden"), "en");
        assert_eq!(lang("江川大桥通车 (Jiangchuan Bridge opens to traffic)"), "zh");
        assert_eq!(lang(""), "zh");
    }

    #[test]
    fn traditional_script_and_english() {
        assert_eq!(script("這個國家的經濟發展很快，們說過。", "zh"), "Hant");
        assert_eq!(script("这个国家的经济发展很快，他们说过。", "zh"), "Hans");
        let a = art("BEIJING, March 20 (Xinhua) -- The bridge opened on Friday.");
        assert_eq!((a.lang.as_str(), a.script.as_str()), ("en", "Latn"));
        assert_eq!(a.agency.as_deref(), Some("Xinhua"));
        assert_eq!(a.place.as_deref(), Some("BEIJING"));
    }

    #[test]
    fn web_credit_gives_the_date() {
        let mut a =
            art("Source: Wire | 2024-03-12 17:42:05 | Editor: Li Ming\nTOWN, March 12 (Wire) -- A bridge opened.");
        describe(&mut a);
        assert_eq!(a.date.as_deref(), Some("2024-03-12"));
        assert_eq!(
            a.place.as_deref(),
            Some("TOWN"),
            "the dateline under the credit line is read"
        );
        assert_eq!(web_credit_date("没有竖线 2024-03-12"), None);
        assert_eq!(web_credit_date("a | 2024-13-12 | b"), None);
    }

    #[test]
    fn dates_normalize() {
        assert_eq!(normalize_date("2019年10月1日").as_deref(), Some("2019-10-01"));
        assert_eq!(normalize_date("20191001").as_deref(), Some("2019-10-01"));
        assert_eq!(normalize_date("2019-13-01"), None);
    }
}
