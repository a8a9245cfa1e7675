# Loads an `npid export` safetensors file into torchvision's ResNet, AlexNet or VGG16_bn with strict=True and writes the
# L2-normalised embeddings of a fixed input, for TorchvisionEquivalenceTest to compare with npid's.
# Parses safetensors with numpy alone: the `safetensors` package need not be installed.
# usage: torchvision_features.py WEIGHTS.safetensors WEIGHTS.json INPUT.npy OUTPUT.npy
import json, struct, sys
import numpy as np
import torch, torch.nn as nn, torchvision

torch.set_num_threads(1)
weights, described, inputs, output = sys.argv[1:5]

def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        a = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=dtypes[t["dtype"]])
        out[name] = torch.from_numpy(a.reshape(t["shape"]).copy())
    return out

d = json.load(open(described))
if d["width"] != 1.0:
    sys.exit("width %s has no torchvision counterpart" % d["width"])
name = d["torchvision_model"]
m = getattr(torchvision.models, name)()
cin = d["in_channels"]
if name.startswith("resnet"):
    stem_width = d["stage_widths"][0]
    if d["stem"]["kind"] == "cifar":
        m.conv1 = nn.Conv2d(cin, stem_width, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    elif cin != 3:
        m.conv1 = nn.Conv2d(cin, stem_width, 7, 2, 3, bias=False)
else:
    # AlexNet and VGG16_bn: npid pools globally and puts its head where the classifier was.
    stem_width = d["conv_channels"][0]
    if name == "alexnet" and d["stem"]["kind"] == "cifar":
        m.features[0] = nn.Conv2d(cin, stem_width, 3, 1, 1)
    elif cin != 3:
        m.features[0] = nn.Conv2d(cin, stem_width, *((11, 4, 2) if name == "alexnet" else (3, 1, 1)))
    m.avgpool = nn.AdaptiveAvgPool2d(1)
f, e = d["head"]["in_features"], d["head"]["out_features"]
if d["head"]["kind"] == "mlp":
    head = nn.Sequential(nn.Linear(f, f, bias=False), nn.BatchNorm1d(f), nn.ReLU(), nn.Linear(f, e))
else:
    head = nn.Linear(f, e)
setattr(m, "fc" if name.startswith("resnet") else "classifier", head)
m.load_state_dict(read_safetensors(weights), strict=True)
m.eval()
side = d["input"]["image_size"]
x = torch.from_numpy(np.load(inputs).reshape(-1, cin, side, side).astype(np.float32))
with torch.no_grad():
    v = nn.functional.normalize(m(x))
np.save(output, v.numpy().astype("<f4"))
print("torchvision", torchvision.__version__, "torch", torch.__version__, "rows", v.shape[0])
