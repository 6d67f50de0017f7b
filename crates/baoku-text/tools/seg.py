# show a file's lines with gold label and predicted article index
import sys,json
from label import *
pred=[json.loads(l) for l in open('pred.jsonl')]
names=sorted(os.listdir(D+'pages'))
f=sys.argv[1]; src=names.index(f)
t=dec(open(D+'pages/'+f,'rb').read())
b=t.encode('utf-8')
own={}
for k,p in enumerate(pred):
    for s,a,e in p['spans']:
        if s==src: own[a]=k
L=label(f); li=0
pos=0
lines=[]
for raw in t.split('\n'):
    rb=raw.encode('utf-8')
    st=raw.strip()
    if st:
        off=pos+len(raw.encode('utf-8'))-len(raw.lstrip().encode('utf-8'))
        lines.append((off,st))
    pos+=len(rb)+1
for (off,st),(lab,_) in zip(lines,L):
    k=own.get(off)
    ks='F' if k is None else str(k)
    print('%5s %4s %s'%(ks, ('%d%s'%lab if lab else '--'), st[:int(sys.argv[2]) if len(sys.argv)>2 else 50]))
