import json,re,sys,unicodedata,collections
N=5
def norm(s): return re.sub(r'\s+','',unicodedata.normalize('NFKC',s or ''))
def grams(s): return {s[i:i+N] for i in range(max(0,len(s)-N+1))} if len(s)>=N else ({s} if s else set())
gold=[json.loads(l) for l in open('/work/shared/data/pages-dev/gold.jsonl')]
pred=[json.loads(l) for l in open(sys.argv[1])]
P=[]
for p in pred:
    full=norm(p['headline']+p['text']); P.append(grams(full) if len(full)>=30 else set())
idx=collections.defaultdict(set)
for i,g in enumerate(P):
    for x in g: idx[x].add(i)
kinds=collections.Counter(); out=[]
for g in gold:
    G=grams(norm(g['title'])+norm(''.join(g['headlines'][1:]))+norm(g['text']))
    if len(G)<26: continue
    c=collections.Counter()
    for x in G:
        for i in idx.get(x,()): c[i]+=1
    best=c.most_common(3)
    ok=False
    for i,n in best:
        if n/len(G)>=0.9 and n/len(P[i])>=0.9: ok=True
    if ok: continue
    if not best: kinds['lost']+=1; out.append((g,'lost',[])); continue
    i,n=best[0]
    k='merged' if n/len(G)>=0.9 else ('split' if n/len(P[i])>=0.9 else 'mixed')
    kinds[k]+=1; out.append((g,k,[(pred[i]['headline'],round(n/len(G),2),round(n/len(P[i]),2),pred[i]['files']) for i,n in best]))
print(kinds)
filt=sys.argv[2] if len(sys.argv)>2 else None
for g,k,b in out:
    if filt and k!=filt: continue
    print(k,g['id'],g['files'],g['headlines'][0][:30],g['pieces'])
    for x in b: print('     ',x)
