#!/usr/bin/env python3
"""Writes image-folder sets of larger and mixed-size photos, for the image-size handling of npid.

Each set is root/train/<class>/*.jpg and root/test/<class>/*.jpg (mixed-c also has some .png),
a seeded, class-balanced random subset of CIFAR-10 (as JPEGs, 32 x 32) or Fashion-MNIST (IDX,
28 x 28), upscaled. The sets are not committed; this script makes them again (needs Pillow):

    /usr/bin/python3 tools/make_photo_sets.py --cifar10 /path/to/cifar10-jpg \
        --fashion-mnist /usr/share/datasets/fashion-mnist --out /path/to/photo-sets [--sets a,b]

Sets (train / test images):
  photo64-a   CIFAR-10, 6,000 / 1,500, seed 11 (tuning): every image upscaled (bicubic) to
              64 x 64, JPEG quality 90.
  mixed-a     CIFAR-10, 4,000 / 1,000, seed 12 (tuning): a slight random crop (each side keeps
              85-100 %), then a bicubic resize to a random size: shorter side uniform in
              64-400 px, aspect ratio (width:height) drawn from 1:1, 4:3, 3:4, 3:2, 2:3, 16:9;
              JPEG quality uniform in 70-95; a quarter of the files progressive JPEG.
  fm-mixed-a  Fashion-MNIST, 4,000 / 1,000, seed 13 (tuning): as mixed-a, grayscale JPEG,
              shorter side 64-256.
  photo64-b   CIFAR-10's airplane, automobile, bird, cat, ship, truck, 6,000 / 3,000, seed 21
              (report): as photo64-a.
  mixed-b     CIFAR-10's cat, dog, horse, deer, 1,600 / 600, seed 22 (report): as mixed-a,
              shorter side 120-360.
  mixed-c     CIFAR-10, 5,000 / 1,000, seed 23 (report): as mixed-a, shorter side 200-600,
              JPEG quality 60-95, a tenth of the files PNG (a quarter of the JPEGs progressive).
  fm-mixed-b  Fashion-MNIST, 4,000 / 1,000, seed 24 (report): as fm-mixed-a, shorter side 96-320.

Source images are disjoint between a set's train and test splits, between any two sets, and
between tuning and report sets: each class of the CIFAR-10 and Fashion-MNIST training splits is
cut into two halves by a seeded shuffle (seed 1000). Tuning sets draw their train and test
images only from half A. Report sets draw their train images from half B and their test images
from the source's test split, which no tuning set touches. Sets that share a pool take
consecutive, non-overlapping slices of its shuffled order (in the order of the table above),
so a set's images do not depend on which --sets are made. (These pools are not disjoint from
the sets of tools/make_eval_sets.py, which draw from all of each split.) The crops, sizes,
qualities and formats come from the set's own seed.

Per set it prints the seed, the file count, the total MB and the min / median / max width and
height of the files written.
"""
import argparse
import gzip
import os
import random
import statistics

import numpy as np
from PIL import Image

FM_CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat",
              "sandal", "shirt", "sneaker", "bag", "boot"]
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck"]
ASPECTS = [(1, 1), (4, 3), (3, 4), (3, 2), (2, 3), (16, 9)]
SPLIT_SEED = 1000

# name: source, role, train, test, seed, classes (None: all), style options
SETS = [
    ("photo64-a", "cifar", "tuning", 6000, 1500, 11, None,
     dict(fixed=64, quality=(90, 90), progressive=0.0, png=0.0)),
    ("mixed-a", "cifar", "tuning", 4000, 1000, 12, None,
     dict(short=(64, 400), quality=(70, 95), progressive=0.25, png=0.0)),
    ("fm-mixed-a", "fashion", "tuning", 4000, 1000, 13, None,
     dict(short=(64, 256), quality=(70, 95), progressive=0.25, png=0.0)),
    ("photo64-b", "cifar", "report", 6000, 3000, 21,
     ["airplane", "automobile", "bird", "cat", "ship", "truck"],
     dict(fixed=64, quality=(90, 90), progressive=0.0, png=0.0)),
    ("mixed-b", "cifar", "report", 1600, 600, 22, ["cat", "dog", "horse", "deer"],
     dict(short=(120, 360), quality=(70, 95), progressive=0.25, png=0.0)),
    ("mixed-c", "cifar", "report", 5000, 1000, 23, None,
     dict(short=(200, 600), quality=(60, 95), progressive=0.25, png=0.10)),
    ("fm-mixed-b", "fashion", "report", 4000, 1000, 24, None,
     dict(short=(96, 320), quality=(70, 95), progressive=0.25, png=0.0)),
]


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def idx_labels(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


class Source:
    """One dataset: per split, per class, a list of items; load(item) gives a PIL image."""

    def __init__(self, by_split, load):
        self.by_split = by_split  # split -> class -> [item]
        self.load = load


def cifar_source(src):
    by_split = {}
    for split in ("train", "test"):
        by_split[split] = {
            cls: [os.path.join(src, split, cls, f)
                  for f in sorted(os.listdir(os.path.join(src, split, cls)))]
            for cls in CIFAR_CLASSES}
    return Source(by_split, lambda path: Image.open(path).convert("RGB"))


def fashion_source(src):
    arrays, by_split = {}, {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = idx_images(os.path.join(src, prefix + "-images-idx3-ubyte.gz"))
        y = idx_labels(os.path.join(src, prefix + "-labels-idx1-ubyte.gz"))
        arrays[split] = x
        by_split[split] = {cls: [(split, int(i)) for i in np.nonzero(y == c)[0]]
                           for c, cls in enumerate(FM_CLASSES)}
    return Source(by_split, lambda item: Image.fromarray(arrays[item[0]][item[1]], "L"))


class Pools:
    """Per class: half A and half B of the training split, and the test split, each shuffled
    once (SPLIT_SEED); take() hands out consecutive slices, so nothing is drawn twice."""

    def __init__(self, source):
        rng = random.Random(SPLIT_SEED)
        self.pools, self.next = {}, {}
        for cls in sorted(source.by_split["train"]):
            train = list(source.by_split["train"][cls])
            rng.shuffle(train)
            half = len(train) // 2
            test = list(source.by_split["test"][cls])
            rng.shuffle(test)
            for name, items in (("A", train[:half]), ("B", train[half:]), ("test", test)):
                self.pools[name, cls] = items
                self.next[name, cls] = 0

    def take(self, pool, cls, count):
        start = self.next[pool, cls]
        items = self.pools[pool, cls][start:start + count]
        if len(items) < count:
            raise SystemExit("pool %s of class %s has too few images" % (pool, cls))
        self.next[pool, cls] = start + count
        return items


def allocate(sources):
    """The source items of every set's splits: {name: {split: [(item, class)]}}."""
    pools = {kind: Pools(src) for kind, src in sources.items()}
    out = {}
    for name, kind, role, n_train, n_test, seed, classes, _ in SETS:
        classes = classes or sorted(sources[kind].by_split["train"])
        draws = (("train", "A", n_train), ("test", "A", n_test)) if role == "tuning" else \
                (("train", "B", n_train), ("test", "test", n_test))
        out[name] = {}
        for split, pool, count in draws:
            per_class = count // len(classes)
            out[name][split] = [(item, cls) for cls in classes
                                for item in pools[kind].take(pool, cls, per_class)]
    return out


def target_size(rng, short):
    s = rng.randint(short[0], short[1])
    aw, ah = rng.choice(ASPECTS)
    return (round(s * aw / ah), s) if aw >= ah else (s, round(s * ah / aw))


def crop(rng, image):
    w, h = image.size
    cw, ch = round(w * rng.uniform(0.85, 1.0)), round(h * rng.uniform(0.85, 1.0))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    return image.crop((x, y, x + cw, y + ch))


def make_set(name, items, source, out, seed, style):
    rng = random.Random(seed)
    sizes, total = [], 0
    for split in ("train", "test"):
        split_items = items[split]
        n = len(split_items)
        png = set(rng.sample(range(n), round(n * style["png"])))
        jpegs = [i for i in range(n) if i not in png]
        progressive = set(rng.sample(jpegs, round(len(jpegs) * style["progressive"])))
        for i, (item, cls) in enumerate(split_items):
            image = source.load(item)
            if "fixed" in style:
                image = image.resize((style["fixed"], style["fixed"]), Image.BICUBIC)
            else:
                image = crop(rng, image).resize(target_size(rng, style["short"]), Image.BICUBIC)
            quality = rng.randint(*style["quality"])
            d = os.path.join(out, split, cls)
            os.makedirs(d, exist_ok=True)
            if i in png:
                path = os.path.join(d, "%05d.png" % i)
                image.save(path)
            else:
                path = os.path.join(d, "%05d.jpg" % i)
                image.save(path, quality=quality, progressive=i in progressive)
            sizes.append(image.size)
            total += os.path.getsize(path)
    ws, hs = [s[0] for s in sizes], [s[1] for s in sizes]
    print("%-11s seed %d: %d files (%d train / %d test), %.1f MB, width %d / %g / %d, "
          "height %d / %g / %d (min / median / max)"
          % (name, seed, len(sizes), len(items["train"]), len(items["test"]), total / 1e6,
             min(ws), statistics.median(ws), max(ws), min(hs), statistics.median(hs), max(hs)),
          flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cifar10", required=True, help="folder with train/<class> and test/<class>")
    p.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", required=True)
    p.add_argument("--sets", help="comma-separated names (default: all): "
                   + ",".join(s[0] for s in SETS))
    a = p.parse_args()
    wanted = a.sets.split(",") if a.sets else [s[0] for s in SETS]
    unknown = set(wanted) - {s[0] for s in SETS}
    if unknown:
        p.error("unknown sets: " + ", ".join(sorted(unknown)))
    sources = {"cifar": cifar_source(a.cifar10), "fashion": fashion_source(a.fashion_mnist)}
    items = allocate(sources)
    for name, kind, _, _, _, seed, _, style in SETS:
        if name in wanted:
            make_set(name, items[name], sources[kind], os.path.join(a.out, name), seed, style)


if __name__ == "__main__":
    main()
