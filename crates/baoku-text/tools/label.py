import sys,json,os,re,unicodedata,collections
D='/work/shared/data/pages-dev/'
def dec(b):
    for e in ('utf-8-sig','gb18030'):
        try: return b.decode(e)
        except: pass
    return None
def norm(s): return re.sub(r'\s+','',unicodedata.normalize('NFKC',s))
gold=[json.loads(l) for l in open(D+'gold.jsonl')]
byfile=collections.defaultdict(list)
for g in gold:
    for f in g['files']: byfile[f].append(g)
def label(f):
    t=dec(open(D+'pages/'+f,'rb').read())
    if t is None: return None
    gs=byfile[f]
    H=[set(norm(h) for h in g['headlines']) for g in gs]
    T=[norm(g['text']) for g in gs]
    out=[]; cur=0
    for l in t.split('\n'):
        s=l.strip()
        if not s: continue
        n=norm(s); lab=None
        order=list(range(cur,len(gs)))+list(range(0,cur))
        for k in order:
            if n in H[k]: lab=(k,'H'); break
            if n in T[k]: lab=(k,'B'); break
        if lab: cur=lab[0]
        out.append((lab,s))
    return out
if __name__=='__main__':
    for f in sys.argv[1:]:
        for lab,s in label(f):
            print(('%2d%s'%lab if lab else ' --'), s[:70])
