#!/usr/bin/env bash
# HTTP benchmark (issue 6): search requests per second and latency percentiles of
# `baoku serve` on the CCTV corpus, driven by wrk on 127.0.0.1 with the 1,000 fixed queries
# of the search benchmark (bench/search.sh writes them; run it first).
#
#   bash bench/serve.sh            # needs wrk (apt-get install wrk) and bench/search.sh's output
#
# WORK must be the search benchmark's folder (default /tmp/baoku-search-bench): its db/ is
# served and its out/queries.jsonl becomes the request list. CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/baoku-search-bench}
DB=$WORK/db
QUERIES=$WORK/out/queries.jsonl
[ -f "$QUERIES" ] || { echo "run bench/search.sh first (no $QUERIES)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p baoku
BIN=$TARGET/release/baoku
OUT=$WORK/serve
mkdir -p "$OUT"

# The search benchmark's queries as API paths (filters included), one per line.
python3 - "$QUERIES" > "$OUT/paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    q = json.loads(line)
    params = [("q", q["query"])]
    for k in ("from", "to", "source", "lang"):
        if q.get(k):
            params.append((k, q[k]))
    print("/api/search?" + urllib.parse.urlencode(params))
PY
cat > "$OUT/paths.lua" <<LUA
local paths = {}
for line in io.lines("$OUT/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

"$BIN" --db "$DB" serve --addr 127.0.0.1:0 > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q http:// "$OUT/serve.log" && break; sleep 0.2; done
URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.log" | head -1)
curl -sf "$URL/api/search?q=%E5%8F%91%E5%B1%95" > /dev/null   # warm the page cache and jieba

{
  echo "| connections | requests/s | p50 | p90 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  for c in 1 4 16; do
    wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d20s --latency -s "$OUT/paths.lua" "$URL" > "$OUT/wrk-$c.txt"
    awk -v c="$c" '
      /Requests\/sec/ { rps = $2 }
      $1 == "50%" { p50 = $2 } $1 == "90%" { p90 = $2 } $1 == "99%" { p99 = $2 }
      /Non-2xx|Socket errors/ { err = err $0 " " }
      END { printf "| %s | %.0f | %s | %s | %s | %s |\n", c, rps, p50, p90, p99, (err == "" ? "0" : err) }' "$OUT/wrk-$c.txt"
  done
  echo
  echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') on 127.0.0.1, 20 s per row, the 1,000 search-benchmark queries in turn" \
    "(hits collapsed by story with snippets, limit 10). Machine: $(nproc) cores; load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at the end (shared machine). $(date -u +%F)."
} | tee "$OUT/results.md"
