//! Bad input gets a warning or an error naming the path, and the rest of the ingest goes on.

use std::io::Write;

use crate::{baoku, json_lines};

const GOOD: &str = "江川大桥建成通车\n　　本报江川10月1日电  江川大桥今天建成通车，两岸往来从此不再绕行。\n";

fn report_for<'a>(files: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no report for {name}: {files:?}"))
}

#[test]
fn every_kind_of_bad_file_is_reported_and_the_good_one_still_lands() {
    let src = tempfile::tempdir().unwrap();
    let d = src.path();
    std::fs::write(d.join("good.txt"), GOOD).unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(
        d.join("binary.txt"),
        [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    )
    .unwrap();
    let mut invalid = "一段正常的中文新闻文本，其中夹着几个损坏的字节。".as_bytes().to_vec();
    invalid.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    invalid.extend_from_slice("后面的文字照样可以读出来，不会丢失。\n".as_bytes());
    std::fs::write(d.join("invalid.txt"), invalid).unwrap();
    std::fs::write(
        d.join("feed.jsonl"),
        "{\"id\":\"1\",\"title\":\"标题\",\"text\":\"第一条记录的正文。\"}\n{\"id\":\"2\",\n{\"id\":\"3\",\"text\":\"第三条记录的正文。\"}\n",
    )
    .unwrap();
    std::fs::write(d.join("broken.txt.gz"), [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    std::os::unix::fs::symlink(d.join("missing-target.txt"), d.join("dangling.txt")).unwrap();
    std::os::unix::fs::symlink(d.join("good.txt"), d.join("alias.txt")).unwrap();
    std::fs::create_dir(d.join("loop")).unwrap();
    std::os::unix::fs::symlink(d, d.join("loop/back")).unwrap();
    // One 100 MB line: no panic, no quadratic time.
    let mut big = std::fs::File::create(d.join("one_line.txt")).unwrap();
    let chunk = "很长的一行没有换行符，".repeat(1000);
    while big.metadata().unwrap().len() < 100 << 20 {
        big.write_all(chunk.as_bytes()).unwrap();
    }
    drop(big);

    let db = tempfile::tempdir().unwrap();
    // The folder and one of its files named again: each file is read once.
    baoku(
        db.path(),
        &["ingest", d.to_str().unwrap(), d.join("good.txt").to_str().unwrap()],
    );
    let files = json_lines(&baoku(db.path(), &["files", "--json"]));

    assert_eq!(report_for(&files, "good.txt")["articles"], 1);
    assert_eq!(
        files
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with("good.txt"))
            .count(),
        1
    );
    assert!(
        !files.iter().any(|f| f["path"].as_str().unwrap().ends_with("alias.txt")),
        "a link is its target"
    );
    let warns = |name: &str| report_for(&files, name)["warnings"].to_string();
    assert!(warns("empty.txt").contains("empty"));
    assert!(warns("binary.txt").contains("binary"));
    assert!(report_for(&files, "invalid.txt")["bad_bytes"].as_i64().unwrap() >= 3);
    assert!(warns("feed.jsonl").contains("line 2"), "{}", warns("feed.jsonl"));
    assert_eq!(report_for(&files, "feed.jsonl")["articles"], 2);
    assert!(report_for(&files, "broken.txt.gz")["error"]
        .as_str()
        .unwrap()
        .contains("gzip"));
    assert!(report_for(&files, "dangling.txt")["error"].is_string());
    assert!(
        files
            .iter()
            .any(|f| f["path"].as_str().unwrap().contains("loop") && f["error"].to_string().contains("loop")),
        "symlink loop not reported: {files:?}"
    );
    assert!(report_for(&files, "one_line.txt")["articles"].as_i64().unwrap() >= 1);
}
