#!/usr/bin/env bash
# Search benchmark (issue 4): baoku's index build and query latency on the CCTV corpus beside
# SQLite FTS5 with its trigram tokenizer, the peer a user would otherwise pick, on the same
# 1,000 seeded queries. Prints a Markdown report and leaves it in $WORK/out/results.md.
#
#   bash bench/search.sh          # needs ../shared/data; about 10 minutes on 2 cores
#
# Scratch data (the baoku data directory, the FTS5 file: about 1 GB) goes to $WORK, by default
# /tmp/baoku-search-bench, never into the repository. CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${BAOKU_SHARED:-../shared/data}
CORPUS=$DATA/cctv-xwlb-2012-2026.jsonl.gz
[ -f "$CORPUS" ] || { echo "skipped: $CORPUS not present" >&2; exit 0; }
TARGET=${CARGO_TARGET_DIR:-target}
WORK=${WORK:-/tmp/baoku-search-bench}
DB=$WORK/db
OUT=$WORK/out

cargo build --release -q -p baoku
cargo build --release -q -p baoku-store --example search_bench
BIN=$TARGET/release/baoku
rm -rf "$DB" "$OUT"
mkdir -p "$OUT"

# secs FILE / rss_mb FILE: wall time and peak RSS from a `/usr/bin/time -v` report.
secs() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# Ingest writes the store and builds the index as it goes (no linking: stories are timed by
# the linking benchmark); reindex then rebuilds the index alone from the store.
/usr/bin/time -v -o "$OUT/ingest.time" "$BIN" --db "$DB" ingest --no-link "$CORPUS" > "$OUT/ingest.log" 2>&1
/usr/bin/time -v -o "$OUT/reindex.time" "$BIN" --db "$DB" reindex > "$OUT/reindex.log" 2>&1

"$TARGET/release/examples/search_bench" "$DB" "$OUT" \
  --ingest-secs "$(secs "$OUT/ingest.time")" --ingest-rss-mb "$(rss_mb "$OUT/ingest.time")" \
  --reindex-secs "$(secs "$OUT/reindex.time")" --reindex-rss-mb "$(rss_mb "$OUT/reindex.time")" \
  > /dev/null 2> "$OUT/search_bench.log"

# One-shot CLI latency (process start, opening the store and index, loading jieba), median of 3.
{
  echo "One-shot \`baoku search\` (a new process per query: start, open, jieba dictionary), median of 3 runs:"
  echo
  echo "| query | wall time |"
  echo "|---|---|"
  for q in 发展 '"一带一路"' '习近平 会见' '经济 -疫情'; do
    for i in 1 2 3; do
      /usr/bin/time -f "%e" -a -o "$OUT/cli.$i" "$BIN" --db "$DB" search $q > /dev/null 2>&1
    done
    med=$(for i in 1 2 3; do tail -n1 "$OUT/cli.$i"; done | sort -n | sed -n 2p)
    printf '| `%s` | %.0f ms |\n' "$q" "$(echo "$med * 1000" | bc -l)"
  done
  rm -f "$OUT"/cli.*
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
    "load average $load0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end (the machine is shared)." \
    "Code: ${COMMIT:-commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' with local changes')}, $(date -u +%F)."
} >> "$OUT/results.md"
cat "$OUT/results.md"
echo
echo "(report: $OUT/results.md; queries: $OUT/queries.jsonl; per-query times: $OUT/latencies.tsv)"
