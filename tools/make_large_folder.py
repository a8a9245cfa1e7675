#!/usr/bin/env python3
"""Writes a large image folder of photo-sized JPEGs for npid's large-folder benchmark
(docs/BENCHMARKS.md, "A folder of 100,000 large photos"). Not committed; this script makes it:

    /usr/bin/python3 tools/make_large_folder.py --cifar10 /path/to/cifar10-jpg --out DIR \
        --distinct 10000 --total 100000

It takes --distinct CIFAR-10 training images (seeded, class-balanced), upscales each (bicubic) to
a random size of 1 to 4 megapixels with an aspect ratio drawn from 1:1, 4:3, 3:4, 3:2, 2:3 and
16:9, and saves it as a baseline JPEG of quality 85 in DIR/train/<class>/. The folder is then
filled to --total files with hard links to those files under other names (cheap to make, and
every file is still opened, read and decoded on its own); the test split, DIR/test/<class>/,
holds --test distinct images from CIFAR-10's test split made the same way. Upscaled CIFAR-10
images are smoother than camera photos, so they compress better; decoding time follows the pixel
count, which is a photo's.
"""
import argparse
import os
import random

from PIL import Image

RATIOS = [(1, 1), (4, 3), (3, 4), (3, 2), (2, 3), (16, 9)]


def sources(root, split, count, rng):
    classes = sorted(os.listdir(os.path.join(root, split)))
    per = count // len(classes)
    out = []
    for c in classes:
        files = sorted(os.listdir(os.path.join(root, split, c)))
        out += [(c, os.path.join(root, split, c, f)) for f in rng.sample(files, per)]
    return out


def photo(path, rng):
    pixels = rng.uniform(1e6, 4e6)
    rw, rh = rng.choice(RATIOS)
    w = int(round((pixels * rw / rh) ** 0.5))
    h = int(round(w * rh / rw))
    return Image.open(path).convert("RGB").resize((w, h), Image.BICUBIC)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cifar10", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--distinct", type=int, default=10000)
    p.add_argument("--total", type=int, default=100000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--seed", type=int, default=21)
    a = p.parse_args()
    rng = random.Random(a.seed)
    print("seed", a.seed)
    made = []
    for n, (c, src) in enumerate(sources(a.cifar10, "train", a.distinct, rng)):
        d = os.path.join(a.out, "train", c)
        os.makedirs(d, exist_ok=True)
        f = os.path.join(d, "%06d.jpg" % n)
        photo(src, rng).save(f, quality=85)
        made.append((c, f))
        if n % 1000 == 0:
            print("train", n, flush=True)
    for n in range(len(made), a.total):
        c, f = made[n % len(made)]
        os.link(f, os.path.join(a.out, "train", c, "%06d.jpg" % n))
    for n, (c, src) in enumerate(sources(a.cifar10, "test", a.test, rng)):
        d = os.path.join(a.out, "test", c)
        os.makedirs(d, exist_ok=True)
        photo(src, rng).save(os.path.join(d, "%06d.jpg" % n), quality=85)
    print("done:", a.total, "training files,", a.test, "test files in", a.out)


if __name__ == "__main__":
    main()
