#!/usr/bin/env bash
# Translation linking cost on the CCTV corpus (75,806 Chinese items), as a share of ingest.
#
#   bash bench/translations.sh        # needs ../shared/data
#
# 1. ingest the CCTV corpus (index and linking included, as a user runs it): the translation
#    step only checks that no English article is there;
# 2. ingest translations-dev's 109 English documents with dates inside the corpus (one day,
#    2020-01-15): they are compared with the items within 3 days of it;
# 3. the same documents undated (as translations-dev ships them): an undated article is only
#    compared with undated ones, so nothing here is in reach;
# Times are from baoku's own summary line (`translations: … s`) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${BAOKU_SHARED:-../shared/data}
[ -d "$DATA" ] || { echo "skipped: $DATA not present" >&2; exit 0; }
cargo build --release -q -p baoku
BIN=$PWD/target/release/baoku
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

grep '"lang": "en"' "$DATA/translations-dev/docs.jsonl" > "$TMP/en-undated.jsonl"
python3 - "$TMP/en-undated.jsonl" "$TMP/en-dated.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        d = json.loads(line)
        d["id"] += "-dated"
        d["date"] = "2020-01-15"
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
EOF

# row NAME DB INPUT: wall time, peak RSS and the translation step of one ingest.
row() {
  local name=$1 db=$2 input=$3
  /usr/bin/time -f "%e %M" -o "$TMP/time" "$BIN" --db "$db" ingest "$input" > "$TMP/out"
  read -r secs kb < "$TMP/time"
  local tr
  tr=$(grep -o 'translations: [0-9]* articles compared across languages, [0-9]* translation links, [0-9.]* s' "$TMP/out" || true)
  local trs
  trs=$(echo "$tr" | grep -o '[0-9.]* s$' | tr -d ' s' || true)
  printf '| %s | %s s | %d MB | %s | %s |\n' "$name" "$secs" $((kb / 1024)) "${tr:-no English article in reach: step skipped}" \
    "$( [ -n "$trs" ] && echo "scale=1; 100 * $trs / ${BASE:-$secs}" | bc || echo 0)%"
}

echo "| run | wall time | peak RSS | translation step | step / CCTV ingest time |"
echo "|---|---|---|---|---|"
row "CCTV 75,806 items (ingest + index + link)" "$TMP/db" "$DATA/cctv-xwlb-2012-2026.jsonl.gz"
BASE=$(cut -d' ' -f1 "$TMP/time")
row "+ 109 English docs dated 2020-01-15" "$TMP/db" "$TMP/en-dated.jsonl"
row "+ the same 109 undated" "$TMP/db" "$TMP/en-undated.jsonl"
# 4. the 109 English documents spread over the corpus's 14 years (one every ~47 days): each
#    brings the items of its 7-day window into scope.
python3 - "$TMP/en-undated.jsonl" "$TMP/en-spread.jsonl" <<'EOF'
import datetime, json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
start, end = datetime.date(2012, 7, 10), datetime.date(2026, 6, 1)
step = (end - start) / len(docs)
with open(sys.argv[2], "w") as out:
    for i, d in enumerate(docs):
        d["id"] += "-spread"
        d["date"] = (start + step * i).isoformat()
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
EOF
row "+ the 109 dated across 2012-2026" "$TMP/db" "$TMP/en-spread.jsonl"
echo
echo "CCTV ingest: $BASE s; the last column is the cost that issue 5 bounds at 30%."
