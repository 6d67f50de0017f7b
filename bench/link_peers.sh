#!/usr/bin/env bash
# Linking benchmark (issue 3): baoku links the 75,806 CCTV 新闻联播 items into stories, beside
# the peers a user would otherwise pick, datasketch MinHashLSH and datatrove's MinHash
# deduplication, on the same corpus in the same run. Prints a Markdown table.
#
#   bash bench/link_peers.sh     # needs ../shared/data; makes a venv with the pinned peers if missing
#
# Same shingles for all (4 letters/digits, punctuation skipped), same LSH (24 bands x 3 rows);
# see bench/link_peers.py. One run each, release build, both cores; time is wall clock, memory
# the peak of the summed RSS of the process and its children (datatrove forks workers), with
# the largest single process in brackets. CPU time is user + system of the process and its
# children (the steadier figure when the machine is shared). The corpus is read in place.
# baoku has three rows: link alone, and ingest then link without and with the search index
# (the peers read the JSONL and build no search index).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${BAOKU_SHARED:-../shared/data}
CORPUS=$(realpath -m "$DATA/cctv-xwlb-2012-2026.jsonl.gz")
[ -f "$CORPUS" ] || { echo "skipped: $CORPUS not present" >&2; exit 0; }
VENV=${PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/baoku-link-peers}
if ! "$VENV/bin/python" -c "import datasketch, datatrove" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "datasketch==2.0.0" "datatrove[processing,io]==0.10.1" >&2
fi
PY="$VENV/bin/python"
cargo build --release -q -p baoku
BIN=$(realpath "${CARGO_TARGET_DIR:-target}/release/baoku")
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
measure() { "$PY" bench/link_peers.py measure "$@" >&2; }

measure "$TMP/ingest.json" -- "$BIN" --db "$TMP/db" ingest --no-link --no-index "$CORPUS"
measure "$TMP/ingest-index.json" -- "$BIN" --db "$TMP/db-index" ingest --no-link "$CORPUS"
rm -rf "$TMP/db-index"
measure "$TMP/link.json" -- "$BIN" --db "$TMP/db" link
"$BIN" --db "$TMP/db" stories --json > "$TMP/stories.jsonl"
measure "$TMP/datasketch.json" -- "$PY" bench/link_peers.py datasketch "$CORPUS" "$TMP/datasketch-out.json"
measure "$TMP/datatrove.json" -- "$PY" bench/link_peers.py datatrove "$CORPUS" "$TMP/dt" "$TMP/datatrove-out.json" \
  > "$TMP/datatrove.log" 2>&1

"$PY" - "$TMP" <<'PY'
import json, sys
t = sys.argv[1]
m = {k: json.load(open(f"{t}/{k}.json")) for k in ["ingest", "ingest-index", "link", "datasketch", "datatrove"]}
for k, v in m.items():
    if v["status"] != 0:
        sys.exit(f"{k} failed: {v}")
sizes = sorted((len(json.loads(l)["members"]) for l in open(f"{t}/stories.jsonl")), reverse=True)
out = {k: json.load(open(f"{t}/{k}-out.json")) for k in ["datasketch", "datatrove"]}
for v in m.values():
    v["cpu"] = v["user_s"] + v["sys_s"]
def then_link(ingest):
    return {"seconds": ingest["seconds"] + m["link"]["seconds"], "cpu": ingest["cpu"] + m["link"]["cpu"],
            "tree_rss_mb": max(ingest["tree_rss_mb"], m["link"]["tree_rss_mb"]),
            "max_rss_mb": max(ingest["max_rss_mb"], m["link"]["max_rss_mb"])}
both, everything = then_link(m["ingest"]), then_link(m["ingest-index"])
rows = [
    ("baoku link (fingerprints, LSH, verification, stories written)", m["link"], len(sizes), sum(sizes), sizes[:5]),
    ("baoku ingest --no-index --no-link + link (store, stories)", both, len(sizes), sum(sizes), sizes[:5]),
    ("baoku ingest --no-link + link (store, search index, stories)", everything, len(sizes), sum(sizes), sizes[:5]),
    (out["datasketch"]["tool"] + " MinHashLSH + union-find", m["datasketch"],
     out["datasketch"]["clusters"], out["datasketch"]["in_clusters"], out["datasketch"]["largest"][:5]),
    (out["datatrove"]["tool"] + " MinHash dedup, 4 stages", m["datatrove"],
     out["datatrove"]["clusters"], out["datatrove"]["in_clusters"], out["datatrove"]["largest"][:5]),
]
print("| run | wall | CPU (user + system) | peak memory | groups > 1 (items) | largest |")
print("|---|---|---|---|---|---|")
for name, r, n, items, big in rows:
    print(f"| {name} | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {r['tree_rss_mb']} MB ({r['max_rss_mb']} MB) | {n} ({items}) | {', '.join(map(str, big))} |")
print()
for base, b in [("link", m["link"]), ("ingest --no-index + link", both), ("ingest + link", everything)]:
    ratios = ", ".join(f"{p} {m[p]['seconds'] / b['seconds']:.1f}x wall, {m[p]['cpu'] / b['cpu']:.1f}x CPU, "
                       f"{m[p]['tree_rss_mb'] / b['tree_rss_mb']:.2f}x memory" for p in ["datasketch", "datatrove"])
    print(f"baoku {base} against the peers (peer / baoku): {ratios}")
PY
