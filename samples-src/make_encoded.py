#!/usr/bin/env python3
"""Regenerate the byte-level samples in ../samples from their readable UTF-8 sources in src/.

    python3 samples-src/make_encoded.py

The sources and the gold (gold.jsonl, in the format of the shared pages-dev gold) live here,
outside samples/, so that ingesting samples/ reads each sample exactly once.

Each source in src/NAME.utf8.txt is plain UTF-8 with LF line endings. This script writes the
sample with the encoding, line endings, BOM or compression that the sample is there to show.
Encoding is strict: a character the target encoding cannot hold is an error, not a '?'.
Output is deterministic (gzip header has no file name and mtime 0), so rerunning it on
unchanged sources gives byte-identical files.
"""
import gzip
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'samples')

# (source in src/, output, encoding, options)
JOBS = [
    ('gb18030_page.utf8.txt', 'gb18030_page.txt', 'gb18030', {}),
    ('big5_traditional.utf8.txt', 'big5_traditional.txt', 'big5', {}),
    ('gbk_gzipped.utf8.txt', 'gbk_gzipped.txt.gz', 'gbk', {'gzip': True}),
    ('00017_3fa2c1.utf8.txt', '00017_3fa2c1.txt', 'utf-8', {'bom': True}),
    ('halfwidth_crlf.utf8.txt', 'halfwidth_crlf.txt', 'utf-8', {'crlf': True}),
]


def build(text, encoding, opts):
    if opts.get('crlf'):
        text = text.replace('\r\n', '\n').replace('\n', '\r\n')
    data = text.encode(encoding)  # strict
    if opts.get('bom'):
        data = b'\xef\xbb\xbf' + data
    # Round-trip check: the bytes must decode back to exactly the source text.
    check = data[3:] if opts.get('bom') else data
    assert check.decode(encoding) == text, f'{encoding} round trip changed the text'
    if opts.get('gzip'):
        buf = io.BytesIO()
        with gzip.GzipFile(filename='', mode='wb', fileobj=buf, mtime=0) as gz:
            gz.write(data)
        data = buf.getvalue()
    return data


def main():
    ok = True
    for src, out, encoding, opts in JOBS:
        with open(os.path.join(HERE, 'src', src), encoding='utf-8', newline='') as f:
            text = f.read()
        if '\r' in text or text.startswith('\ufeff'):
            print(f'{src}: source must be plain UTF-8 with LF endings and no BOM', file=sys.stderr)
            ok = False
            continue
        try:
            data = build(text, encoding, opts)
        except UnicodeEncodeError as e:
            bad = e.object[e.start:e.end]
            print(f'{src}: {encoding} cannot encode {bad!r} at {e.start}', file=sys.stderr)
            ok = False
            continue
        with open(os.path.join(OUT, out), 'wb') as f:
            f.write(data)
        extra = ', '.join(k for k in opts) or 'plain'
        print(f'{out:24} {encoding:8} {extra:6} {len(data):6} bytes')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
