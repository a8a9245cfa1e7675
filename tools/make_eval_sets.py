#!/usr/bin/env python3
"""Writes the image-folder sets that npid's defaults are tuned and reported on (docs/RESULTS.md).

Each set is root/train/<class>/*.png and root/test/<class>/*.png, a seeded random subset of
Fashion-MNIST or CIFAR-10. The sets are not committed; this script makes them again:

    python3 tools/make_eval_sets.py --fashion-mnist /usr/share/datasets/fashion-mnist \
        --cifar10 /path/to/cifar10-jpg --out /path/to/sets

Sets (train / test images):
  fm-a      Fashion-MNIST, 8,000 / 2,000, seed 1         (tuning)
  fm-b      Fashion-MNIST, 6,000 / 1,500, seed 2         (report)
  cifar-a   CIFAR-10, 10,000 / 2,000, seed 1             (tuning)
  cifar-b   CIFAR-10, 8,000 / 2,000, seed 2              (report)
  cifar-5   CIFAR-10's five animal classes cat, deer, dog, frog, horse, 8,000 / 2,000, seed 3
            (report)
  cifar-gray CIFAR-10 in grayscale (ITU-R 601 luma), 8,000 / 2,000, seed 4 (report)
  cifar-6   CIFAR-10's six animal classes bird, cat, deer, dog, frog, horse, 7,800 / 1,800,
            seed 5 (report; made after the recipe's evaluation features were chosen)
  cifar-c   CIFAR-10, 6,000 / 1,500, seed 6 (report; made then too)
  fm-c      Fashion-MNIST, 8,000 / 2,000, seed 7 (report; made then too)
"""
import argparse
import gzip
import os
import random

import numpy as np
from PIL import Image

FM_CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat",
              "sandal", "shirt", "sneaker", "bag", "boot"]


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def idx_labels(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def balanced(labels, per_split, rng):
    """Indices of a random subset, the same share of every class present."""
    classes = sorted(set(labels))
    per_class = per_split // len(classes)
    chosen = []
    for c in classes:
        idx = [i for i, y in enumerate(labels) if y == c]
        chosen += rng.sample(idx, per_class)
    return chosen


def write(out, split, items, gray=False):
    for n, (image, cls) in enumerate(items):
        d = os.path.join(out, split, cls)
        os.makedirs(d, exist_ok=True)
        if gray and image.mode != "L":
            image = image.convert("L")
        image.save(os.path.join(d, "%05d.png" % n))


def fashion(src, out, n_train, n_test, seed):
    rng = random.Random(seed)
    for split, prefix, count in (("train", "train", n_train), ("test", "t10k", n_test)):
        x = idx_images(os.path.join(src, prefix + "-images-idx3-ubyte.gz"))
        y = idx_labels(os.path.join(src, prefix + "-labels-idx1-ubyte.gz"))
        pick = balanced(list(y), count, rng)
        write(out, split, [(Image.fromarray(x[i]), FM_CLASSES[y[i]]) for i in pick])


def cifar(src, out, n_train, n_test, seed, classes=None, gray=False):
    rng = random.Random(seed)
    for split, count in (("train", n_train), ("test", n_test)):
        files, labels = [], []
        for cls in sorted(os.listdir(os.path.join(src, split))):
            if classes and cls not in classes:
                continue
            for f in sorted(os.listdir(os.path.join(src, split, cls))):
                files.append(os.path.join(src, split, cls, f))
                labels.append(cls)
        pick = balanced(labels, count, rng)
        write(out, split, [(Image.open(files[i]).convert("RGB"), labels[i]) for i in pick], gray)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--cifar10", required=True, help="folder with train/<class> and test/<class>")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    fashion(a.fashion_mnist, os.path.join(a.out, "fm-a"), 8000, 2000, 1)
    fashion(a.fashion_mnist, os.path.join(a.out, "fm-b"), 6000, 1500, 2)
    cifar(a.cifar10, os.path.join(a.out, "cifar-a"), 10000, 2000, 1)
    cifar(a.cifar10, os.path.join(a.out, "cifar-b"), 8000, 2000, 2)
    cifar(a.cifar10, os.path.join(a.out, "cifar-5"), 8000, 2000, 3,
          classes={"cat", "deer", "dog", "frog", "horse"})
    cifar(a.cifar10, os.path.join(a.out, "cifar-gray"), 8000, 2000, 4, gray=True)
    cifar(a.cifar10, os.path.join(a.out, "cifar-6"), 7800, 1800, 5,
          classes={"bird", "cat", "deer", "dog", "frog", "horse"})
    cifar(a.cifar10, os.path.join(a.out, "cifar-c"), 6000, 1500, 6)
    fashion(a.fashion_mnist, os.path.join(a.out, "fm-c"), 8000, 2000, 7)


if __name__ == "__main__":
    main()
