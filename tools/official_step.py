# Usage: python3 tools/official_step.py THREADS WIDTH CHANNELS SIDE nce|softmax|plain   (Debian: apt-get install python3-torch)
# A re-creation of lemniscate.pytorch's NPID training step (NCEAverage + NCECriterion + memory
# update, as in its cifar/main script) around a quarter- or full-width CIFAR ResNet-18, timed on
# Debian's PyTorch. Used only to compare step times on the same machine.
import sys, time, math, torch
import torch.nn as nn, torch.nn.functional as F
import os
exec(open(os.path.join(os.path.dirname(__file__), 'resnet_torch.py')).read().split('for w in')[0])  # class R
threads, width, chans, side, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(threads)
n, d, K, T, BATCH = (60000 if chans == 1 else 50000), 128, 4096, 0.07, 128
net = R(width, chans)
opt = torch.optim.SGD(net.parameters(), lr=0.03, momentum=0.9, weight_decay=5e-4)
stdv = 1. / math.sqrt(d / 3)
memory = torch.rand(n, d).mul_(2 * stdv).add_(-stdv)
Z = [None]
x = torch.randn(BATCH, chans, side, side)
def step():
    idx = torch.randint(0, n, (BATCH,))
    v = net(x)
    if mode == 'plain':
        loss = v[:, 0].sum()
    elif mode == 'softmax':
        # lemniscate's LinearAverage (--nce-k 0): the exact softmax over the whole memory.
        out = torch.mm(v, memory.t()).div_(T)
        loss = F.cross_entropy(out, idx)
    else:
        noise = torch.randint(0, n, (BATCH, K + 1)); noise.select(1, 0).copy_(idx)
        weight = torch.index_select(memory, 0, noise.view(-1)).detach().view(BATCH, K + 1, d)
        out = torch.exp(torch.bmm(weight, v.view(BATCH, d, 1)).div_(T))
        if Z[0] is None: Z[0] = (out.mean() * n).item()
        out = torch.div(out, Z[0]).squeeze()
        Pn = 1. / n
        Pmt = out.select(1, 0); lnPmt = torch.div(Pmt, Pmt.add(K * Pn + 1e-7)).log_()
        Pon = out.narrow(1, 1, K); lnPon = torch.div(Pon.clone().fill_(K * Pn), Pon.add(K * Pn + 1e-7)).log_()
        loss = -(lnPmt.sum(0) + lnPon.view(-1, 1).sum(0)) / BATCH
    opt.zero_grad(); loss.backward(); opt.step()
    if mode != 'plain':
        with torch.no_grad():
            pos = torch.index_select(memory, 0, idx.view(-1)); pos.mul_(0.5).add_(torch.mul(v.data, 0.5))
            pos = pos.div(pos.pow(2).sum(1, keepdim=True).pow(0.5)); memory.index_copy_(0, idx, pos)
REPEATS, STEPS = int(os.environ.get('REPEATS', '5')), int(os.environ.get('STEPS', '5'))
for _ in range(int(os.environ.get('WARMUP', '3'))): step()  # untimed, as npid bench's --warmup
ts = []  # STEPS=2 keeps full width under a minute; REPEATS=1 STEPS=469 times a Fashion-MNIST epoch of steps
for r in range(REPEATS):
    t0 = time.perf_counter()
    for _ in range(STEPS): step()
    ts.append((time.perf_counter() - t0) / STEPS)
ts.sort()
print(f"official-style width={width} {chans}x{side}x{side} {mode} threads={threads}: median {ts[REPEATS // 2]:.3f} s/step (min {ts[0]:.3f}, max {ts[-1]:.3f})")
