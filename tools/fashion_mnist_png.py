#!/usr/bin/env python3
"""Writes Fashion-MNIST (Debian's dataset-fashion-mnist IDX files) as an image folder of grayscale
PNGs, OUT/{train,test}/<NN-class>/<index>.png, the layout npid and npid-spark read. Standard
library only. Usage: tools/fashion_mnist_png.py OUT [IDX_DIR]"""
import gzip
import os
import struct
import sys
import zlib

NAMES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]


def png(pixels, w, h):
    raw = b"".join(b"\x00" + pixels[y * w:(y + 1) * w] for y in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = gzip.open(f"{src}/{prefix}-images-idx3-ubyte.gz").read()
        labels = gzip.open(f"{src}/{prefix}-labels-idx1-ubyte.gz").read()[8:]
        n, h, w = struct.unpack(">III", images[4:16])
        for c, name in enumerate(NAMES):
            os.makedirs(f"{out}/{split}/{c:02d}-{name}", exist_ok=True)
        for i in range(n):
            px = images[16 + i * h * w:16 + (i + 1) * h * w]
            with open(f"{out}/{split}/{labels[i]:02d}-{NAMES[labels[i]]}/{i:05d}.png", "wb") as f:
                f.write(png(px, w, h))
        print(f"{split}: {n} images")


if __name__ == "__main__":
    main()
