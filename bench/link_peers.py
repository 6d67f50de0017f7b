"""Helpers of bench/link_peers.sh: the peers' runs and the measurement of a command.

    python3 link_peers.py measure OUT.json -- CMD ARGS...   # wall time, peak RSS of the process tree
    python3 link_peers.py datasketch CORPUS.jsonl.gz OUT.json
    python3 link_peers.py datatrove CORPUS.jsonl.gz WORKDIR OUT.json

Both peers get what baoku uses: shingles of 4 consecutive letters/digits (punctuation and
white space skipped, lower-cased: a per-character tokenizer, since neither splits Chinese
into words), 72 MinHash values cut into 24 bands of 3 rows, and clusters from the candidate
pairs by union-find (what datatrove's cluster stage does; datasketch has no stage of its own,
so the same few lines a user would write). Neither verifies candidates.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
import time

K, BANDS, ROWS = 4, 24, 3


def content(text):
    return "".join(c for c in text.lower() if c.isalnum())


def shingles(text, k=K):
    c = content(text)
    if len(c) < k:
        return {c} if c else set()
    return {c[i : i + k] for i in range(len(c) - k + 1)}


def records(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def tree_rss_kb(root):
    """Sum of RSS (kB) of `root` and its descendants, read from /proc."""
    parent, rss = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2 :].split()
            parent[int(pid)] = int(fields[1])
            rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(c for c, q in parent.items() if q == p)
    return total


def measure(out, cmd):
    """Runs cmd; writes wall seconds, peak tree RSS (sampled every 50 ms) and the largest
    single process's peak RSS (from the kernel) to out."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    done.set()
    t.join()
    res = {
        "cmd": " ".join(cmd),
        "seconds": round(wall, 2),
        "tree_rss_mb": round(max(peak[0], usage.ru_maxrss) / 1024),
        "max_rss_mb": round(usage.ru_maxrss / 1024),
        "user_s": round(usage.ru_utime, 1),
        "sys_s": round(usage.ru_stime, 1),
        "status": os.waitstatus_to_exitcode(status),
    }
    with open(out, "w") as f:
        json.dump(res, f)
    return res["status"]


class UnionFind:
    def __init__(self):
        self.p = {}

    def find(self, x):
        p = self.p
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.p[max(a, b)] = min(a, b)


def cluster_sizes(uf, n):
    sizes = {}
    for i in range(n):
        r = uf.find(i)
        sizes[r] = sizes.get(r, 0) + 1
    return sorted((s for s in sizes.values() if s > 1), reverse=True)


def run_datasketch(corpus, out):
    import datasketch
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=BANDS * ROWS, params=(BANDS, ROWS))
    uf = UnionFind()
    n = 0
    batch = []

    def flush():
        # MinHash.bulk: one set of permutations for the whole batch (datasketch's fast path)
        sets = [[s.encode("utf-8") for s in sh] for _, sh in batch]
        for (i, _), m in zip(batch, MinHash.bulk(sets, num_perm=BANDS * ROWS)):
            for j in lsh.query(m):
                uf.union(i, j)
            lsh.insert(i, m)
        batch.clear()

    for r in records(corpus):
        sh = shingles(r.get("text") or "")
        if sh:
            batch.append((n, sh))
        n += 1
        if len(batch) >= 2000:
            flush()
    flush()
    sizes = cluster_sizes(uf, n)
    with open(out, "w") as f:
        json.dump({"tool": f"datasketch {datasketch.__version__}", "docs": n, "clusters": len(sizes),
                   "in_clusters": sum(sizes), "largest": sizes[:10]}, f)


def run_datatrove(corpus, work, out):
    import datatrove
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.word_tokenizers import WordTokenizer

    class CharTokenizer(WordTokenizer):
        """One token per letter or digit: n-grams of tokens are character shingles."""

        def word_tokenize(self, text):
            return [c for c in text if c.isalnum()]

        def sent_tokenize(self, text):
            return [text]

        def span_tokenize(self, text):
            return [(0, len(text))]

    import datatrove.pipeline.dedup.minhash as dt_minhash
    from datatrove.pipeline.dedup.minhash import MinhashDedupSignature

    # the signature stage asks for a word tokenizer by language (spaCy for Chinese): give it ours
    dt_minhash.load_word_tokenizer = lambda language: CharTokenizer(language)

    config = MinhashConfig(n_grams=K, num_buckets=BANDS, hashes_per_bucket=ROWS,
                           hash_config=HashConfig(precision=64))
    data = os.path.dirname(os.path.abspath(corpus))
    reader = JsonlReader(data, glob_pattern=os.path.basename(corpus), text_key="text", id_key="id")
    workers = os.cpu_count() or 2
    logs = f"{work}/logs"
    # one input file: the signature stage is one task; buckets run in parallel on every core
    LocalPipelineExecutor([reader, MinhashDedupSignature(f"{work}/sigs", config=config)], tasks=1,
                          logging_dir=f"{logs}/1", start_method="fork").run()
    LocalPipelineExecutor([MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=config)],
                          tasks=BANDS, workers=workers, logging_dir=f"{logs}/2", start_method="fork").run()
    LocalPipelineExecutor([MinhashDedupCluster(f"{work}/buckets", f"{work}/remove", config=config,
                                               save_cluster_id=True, save_cluster_size=True)],
                          tasks=1, logging_dir=f"{logs}/3", start_method="fork").run()
    LocalPipelineExecutor([reader, MinhashDedupFilter(f"{work}/remove", load_cluster_sizes=True), JsonlWriter(f"{work}/out")],
                          tasks=1, logging_dir=f"{logs}/4", start_method="fork").run()
    # cluster sizes from the kept documents' metadata (datatrove keeps one per cluster)
    sizes = []
    for name in sorted(os.listdir(f"{work}/out")):
        with gzip.open(f"{work}/out/{name}", "rt") as f:
            for line in f:
                md = json.loads(line).get("metadata", {})
                if md.get("minhash_cluster_size", 1) > 1:
                    sizes.append(md["minhash_cluster_size"])
    sizes.sort(reverse=True)
    with open(out, "w") as f:
        json.dump({"tool": f"datatrove {datatrove.__version__}" if hasattr(datatrove, "__version__") else "datatrove",
                   "clusters": len(sizes), "in_clusters": sum(sizes), "largest": sizes[:10]}, f)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "measure":
        sys.exit(measure(sys.argv[2], sys.argv[sys.argv.index("--") + 1 :]))
    elif what == "datasketch":
        run_datasketch(sys.argv[2], sys.argv[3])
    elif what == "datatrove":
        run_datatrove(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown: {what}")
