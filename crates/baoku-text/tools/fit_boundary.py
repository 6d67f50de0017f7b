# Refit the boundary scorer of split.rs: see examples/boundary_features.rs. Reads the shared gold
# from ../shared/data (never copies it). Output: the weights to paste into split.rs.
# Fits the boundary logistic regression of split.rs from /tmp/feat.jsonl (feat tool output).
# Label: the block's first line is a gold headline of an article other than the one the
# paragraph above belongs to. File-level 2-fold CV: even/odd file index.
import json,re,sys,unicodedata,collections,math,os
D='/work/shared/data/pages-dev/'
def norm(s): return re.sub(r'\s+','',unicodedata.normalize('NFKC',s))
gold=[json.loads(l) for l in open(D+'gold.jsonl')]
byfile=collections.defaultdict(list)
for g in gold:
    for f in g['files']: byfile[f].append(g)
rows=[]
for l in open(sys.argv[1] if len(sys.argv)>1 else '/tmp/feat.jsonl'):
    r=json.loads(l); gs=byfile[r['file']]
    hs=[norm(x) for x in r['heads']]; p=norm(r['prev'])
    hk=[k for k,g in enumerate(gs) if set(hs)&set(norm(x) for x in g['headlines'])]
    pk=[k for k,g in enumerate(gs) if p and p in norm(g['text'])]
    if not pk: continue
    if hk:
        y=1 if set(hk)-set(pk) else 0
    else:
        y=0
    rows.append((r['file'],r['f'],y))
files=sorted(os.listdir(D+'pages')); fi={f:i for i,f in enumerate(files)}
print(len(rows),'rows, positives',sum(r[2] for r in rows),file=sys.stderr)
def solve(A,b):
    n=len(b); M=[row[:]+[b[i]] for i,row in enumerate(A)]
    for c in range(n):
        p=max(range(c,n),key=lambda r:abs(M[r][c])); M[c],M[p]=M[p],M[c]
        for r in range(n):
            if r!=c and M[c][c]!=0:
                k=M[r][c]/M[c][c]
                for j in range(c,n+1): M[r][j]-=k*M[c][j]
    return [M[i][n]/M[i][i] if M[i][i] else 0 for i in range(n)]
def fit(data,l2=1.0,it=15):
    n=len(data[0][1]); w=[0.0]*n
    for _ in range(it):
        g=[l2*w[i]*(i>0) for i in range(n)]
        H=[[l2*(i==j and i>0)+1e-6*(i==j) for j in range(n)] for i in range(n)]
        for f,x,y in data:
            z=max(-30,min(30,sum(a*b for a,b in zip(w,x)))); p=1/(1+math.exp(-z)); d=p-y; v=p*(1-p)
            for i in range(n):
                if x[i]==0: continue
                g[i]+=d*x[i]; xi=v*x[i]
                Hi=H[i]
                for j in range(n): Hi[j]+=xi*x[j]
        step=solve(H,g); w=[a-b for a,b in zip(w,step)]
    return w
def acc(w,data,th=0.0):
    c=collections.Counter()
    for f,x,y in data:
        s=sum(a*b for a,b in zip(w,x))>th
        c[('tp' if y else 'fp') if s else ('fn' if y else 'tn')]+=1
    return dict(c)
A=[r for r in rows if fi[r[0]]%2==0]; B=[r for r in rows if fi[r[0]]%2==1]
wa=fit(A); print('fit A, test B',acc(wa,B),' train',acc(wa,A))
wb=fit(B); print('fit B, test A',acc(wb,A))
w=fit(rows); print('all',acc(w,rows))
print('const BOUNDARY_WEIGHTS: [f64; N_FEATURES] = ['+', '.join('%.3f'%x for x in w)+'];')
print('HALF_A',', '.join('%.3f'%x for x in wa))
if '--stats' in sys.argv:
    c=collections.Counter()
    for f,x,y in rows:
        c[(x[23]>0, x[3]>0, round(x[7],1) if x[2]>0 else -1, y)]+=1
    for k in sorted(c): print(k,c[k])
