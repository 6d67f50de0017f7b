//! Chinese articles and their English versions join one story (fictional texts written for
//! this test), ingested in two runs so that the second links into the first's stories.

use crate::{baoku, json_lines};

/// (source id, date, headline, text) in Chinese.
const ZH: &[(&str, &str, &str, &str)] = &[
    (
        "zh-bus",
        "2024-03-12",
        "江川首条无人驾驶公交线路试运营",
        "江川市首条无人驾驶公交线路12日在高新区开始试运营。线路全长9.6公里，设14个站点，连接地铁站、产业园区和居民小区。\n\
         试运营期间每天运行12小时，市民可免费乘坐至3月31日。车辆配备激光雷达和8个摄像头，最高时速40公里。\n\
         江川市交通局局长赵立新说，明年还将新开5条无人驾驶线路，总里程超过60公里。",
    ),
    (
        "zh-water",
        "2024-03-13",
        "南屿群岛首座海水淡化厂投产",
        "南屿群岛首座海水淡化厂13日正式投产，每天可生产淡水5000吨，能满足岛上2万多名居民的用水需要。\n\
         过去，岛上居民主要靠船只从江川运水，遇到台风季节常常断水。工厂采用反渗透技术，耗电量比传统工艺低三成。\n\
         南屿管委会主任许文涛表示，第二期工程将于2025年完工，届时日产能将提高到8000吨。",
    ),
    (
        "zh-library",
        "2024-03-14",
        "江川图书馆推出夜读服务",
        "从本月起，江川市图书馆每周五、周六开放至晚上10点，推出“夜读”服务。\n\
         图书馆新设了200个自习座位，并在一楼开辟了24小时自助借还区。开放首周，夜间到馆读者超过1500人次。\n\
         馆长孙梅说，夜读服务主要面向上班族和备考的学生，今后将根据读者需求延长开放时间。",
    ),
    (
        "zh-tea",
        "2024-03-15",
        "澄湖老街百年茶行重新开张",
        "历时一年半的澄湖老街修缮工程日前完工，二十多间百年老屋恢复了原有的木造门面。\n\
         开业超过一百年的福兴茶行14日重新开张，第四代经营者吴美玲说，老茶柜和秤砣都保留了下来。\n\
         澄湖区文化局介绍，老街今年计划引进30家传统手工艺商铺，并举办首届茶文化节。",
    ),
    (
        // the same city and day as the bus story, another event: no English version here
        "zh-metro",
        "2024-03-12",
        "江川地铁3号线启动全线联调",
        "江川地铁3号线12日启动全线联调联试，这条线路全长28公里，设22座车站，计划年底开通。\n\
         联调期间，列车将在正线上进行信号、供电和通信系统测试。\n\
         江川轨道交通集团总经理黄志远说，3号线开通后，城东到机场的时间将缩短到35分钟。",
    ),
];

/// The English versions (source id, date, headline, text): the partner's id is `zh-…`.
const EN: &[(&str, &str, &str, &str)] = &[
    (
        "en-bus",
        "2024-03-12",
        "Jiangchuan starts trial run of first driverless bus line",
        "Jiangchuan's first driverless bus line began trial operation in the city's high-tech zone on Tuesday, March 12.\n\
         The 9.6-km route has 14 stops linking a metro station, industrial parks and residential communities.\n\
         During the trial the buses run 12 hours a day and rides are free until March 31. Each vehicle carries lidar and 8 cameras and has a top speed of 40 km per hour.\n\
         Zhao Lixin, head of the city's transport bureau, said 5 more driverless lines totalling more than 60 km will open next year.",
    ),
    (
        "en-water",
        "2024-03-13",
        "First seawater desalination plant starts operation on Nanyu Islands",
        "The first seawater desalination plant on the Nanyu Islands went into operation on March 13. It can produce 5,000 tonnes of fresh water a day, enough for the more than 20,000 residents of the islands.\n\
         Islanders used to depend on water shipped from Jiangchuan and often ran out during the typhoon season. The plant uses reverse osmosis and consumes 30 percent less electricity than traditional processes.\n\
         Xu Wentao, director of the Nanyu administrative committee, said the second phase will be completed in 2025, raising daily capacity to 8,000 tonnes.",
    ),
    (
        "en-library",
        "2024-03-14",
        "Jiangchuan Library launches night reading service",
        "Starting this month, Jiangchuan Library stays open until 10 pm every Friday and Saturday under a new night reading service.\n\
         The library has added 200 study seats and opened a 24-hour self-service area for borrowing and returning books on the first floor. More than 1,500 visits were made in the evenings during the first week.\n\
         Curator Sun Mei said the service is mainly for office workers and students preparing for exams, and opening hours may be extended further as readers need.",
    ),
    (
        "en-tea",
        "2024-03-15",
        "Century-old tea house reopens on Chenghu Old Street",
        "Renovation of Chenghu Old Street, which took a year and a half, has been completed, and more than 20 century-old houses have regained their original wooden facades.\n\
         Fuxing Tea House, in business for more than 100 years, reopened on March 14. Wu Meiling, who runs it in the fourth generation, said the old tea cabinets and steelyard weights have been kept.\n\
         The district's culture bureau said the street plans to bring in 30 traditional handicraft shops this year and hold its first tea culture festival.",
    ),
];

fn write(path: &std::path::Path, docs: &[(&str, &str, &str, &str)], lang: &str) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, date, title, text)| {
            let mut r = serde_json::json!({"id": id, "title": title, "text": text, "lang": lang, "source": "江川日报"});
            if !date.is_empty() {
                r["date"] = (*date).into();
            }
            r.to_string()
        })
        .collect();
    std::fs::write(path, lines.join("\n")).unwrap();
}

#[test]
fn english_versions_join_the_stories_of_their_chinese_originals() {
    let db = tempfile::tempdir().unwrap();
    let (zh, en) = (db.path().join("zh.jsonl"), db.path().join("en.jsonl"));
    write(&zh, ZH, "zh");
    write(&en, EN, "en");
    baoku(db.path(), &["ingest", zh.to_str().unwrap()]);
    baoku(db.path(), &["ingest", en.to_str().unwrap()]);

    let stories = json_lines(&baoku(db.path(), &["stories", "--json"]));
    let story_of = |sid: &str| {
        stories
            .iter()
            .find(|s| s["members"].as_array().unwrap().iter().any(|m| m["source_id"] == sid))
    };
    for (id, ..) in EN {
        let partner = id.replace("en-", "zh-");
        let s = story_of(id).unwrap_or_else(|| panic!("{id} is in no story: {stories:#?}"));
        let ids: Vec<&str> = s["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["source_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{id}: {ids:?}");
        assert!(ids.contains(&partner.as_str()), "{id}: {ids:?}");
        assert_eq!(s["langs"], serde_json::json!(["en", "zh"]));
        let en_member = s["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["source_id"] == *id)
            .unwrap();
        assert_eq!(en_member["relation"], "translation", "{s}");
        assert_eq!(en_member["lang"], "en");
    }
    assert!(
        story_of("zh-metro").is_none(),
        "the metro story has no English version: {stories:#?}"
    );

    // `diff` of a zh/en pair aligns paragraphs instead of diffing characters.
    let s = story_of("en-bus").unwrap();
    let ids: Vec<String> = s["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].to_string())
        .collect();
    let ops: serde_json::Value =
        serde_json::from_slice(&baoku(db.path(), &["diff", &ids[0], &ids[1], "--json"]).stdout).unwrap();
    let kinds: Vec<&str> = ops
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.iter().filter(|&&k| k == "aligned").count() >= 3, "{kinds:?}");
    let plain = String::from_utf8(baoku(db.path(), &["diff", &ids[0], &ids[1]]).stdout).unwrap();
    assert!(plain.contains("⇄"), "{plain}");
}

/// Without a date no window applies, and comparing with the whole archive would find false
/// partners: an undated article is compared with undated ones only.
#[test]
fn undated_english_versions_are_not_compared_with_dated_chinese_ones() {
    let db = tempfile::tempdir().unwrap();
    let (zh, en) = (db.path().join("zh.jsonl"), db.path().join("en.jsonl"));
    write(&zh, ZH, "zh");
    let undated: Vec<_> = EN.iter().map(|&(id, _, h, t)| (id, "", h, t)).collect();
    write(&en, &undated, "en");
    baoku(db.path(), &["ingest", zh.to_str().unwrap(), en.to_str().unwrap()]);
    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    assert!(articles
        .iter()
        .any(|a| a["source_id"] == "en-bus" && a["date"].is_null()));
    let stories = json_lines(&baoku(db.path(), &["stories", "--json"]));
    assert!(stories.is_empty(), "{stories:#?}");
}
