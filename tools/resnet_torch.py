# A CIFAR-stem ResNet-18 in PyTorch (torchvision layout) for tools/official_step.py; run alone it times
# a plain step with and without channels_last on Debian's PyTorch.
import torch, time, sys
import torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv)>1 else 1)
class B(nn.Module):
    def __init__(s, i, o, st):
        super().__init__()
        s.c1=nn.Conv2d(i,o,3,st,1,bias=False); s.b1=nn.BatchNorm2d(o)
        s.c2=nn.Conv2d(o,o,3,1,1,bias=False); s.b2=nn.BatchNorm2d(o)
        s.sh=nn.Sequential()
        if st!=1 or i!=o: s.sh=nn.Sequential(nn.Conv2d(i,o,1,st,bias=False), nn.BatchNorm2d(o))
    def forward(s,x):
        out=F.relu(s.b1(s.c1(x))); out=s.b2(s.c2(out)); return F.relu(out+s.sh(x))
class R(nn.Module):
    def __init__(s, w=16, cin=1):
        super().__init__()
        s.c=nn.Conv2d(cin,w,3,1,1,bias=False); s.b=nn.BatchNorm2d(w)
        L=[]; i=w
        for k,o in enumerate([w,2*w,4*w,8*w]):
            L+= [B(i,o,1 if k==0 else 2), B(o,o,1)]; i=o
        s.L=nn.Sequential(*L); s.fc=nn.Linear(8*w,128)
    def forward(s,x):
        x=F.relu(s.b(s.c(x))); x=s.L(x); x=F.adaptive_avg_pool2d(x,1).flatten(1); return F.normalize(s.fc(x))
for w in [16, 64]:
  for cl in [False, True]:
    m=R(w); opt=torch.optim.SGD(m.parameters(), lr=0.03, momentum=0.9, weight_decay=5e-4)
    x=torch.randn(128,1,28,28)
    if cl: m=m.to(memory_format=torch.channels_last); x=x.contiguous(memory_format=torch.channels_last)
    ts=[]
    for it in range(8 if w==16 else 4):
        t0=time.perf_counter(); opt.zero_grad(); v=m(x); l=v[:,0].sum(); l.backward(); opt.step(); ts.append(time.perf_counter()-t0)
    print("width",w,"channels_last",cl,"plain step median %.3f s" % sorted(ts[2:])[len(ts[2:])//2])
