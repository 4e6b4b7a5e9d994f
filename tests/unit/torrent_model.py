#!/usr/bin/python3
# The model test_torrent.c checks against: BEP 52 + BEP 47 written again in
# Python (hashlib, libtorrent's bencode) for its catalogue: b (16 KiB), c (empty),
# x/a (ALEN bytes). Usage: torrent_model.py PIECE ALEN -> the info-hashes.
import sys
import hashlib, libtorrent as lt
P = int(sys.argv[1])
def content(n, k): return bytes((i * k + 7) % 251 for i in range(n))
files = [("b", content(16384, 3)), ("c", b""), ("x/a", content(int(sys.argv[2]), 5))]   # tree order: b, c, x/a
def merkle(leaves, n):
    leaves = leaves + [b"\0"*32] * (n - len(leaves))
    while len(leaves) > 1:
        leaves = [hashlib.sha256(leaves[i] + leaves[i+1]).digest() for i in range(0, len(leaves), 2)]
    return leaves[0]
def pow2(n):
    p = 1
    while p < n: p *= 2
    return p
zero_piece = merkle([], P // 16384) if P > 16384 else b"\0"*32
tree = {}; v1 = []; pieces = b""; layers = {}
for idx, (path, data) in enumerate(files):
    last = idx == len(files) - 1
    node = tree
    parts = path.split("/")
    for d in parts[:-1]: node = node.setdefault(d.encode(), {})
    meta = {b"length": len(data)}
    if data:
        blocks = [hashlib.sha256(data[i:i+16384]).digest() for i in range(0, len(data), 16384)]
        if len(data) > P:
            per = P // 16384
            layer = [merkle(blocks[i:i+per], per) for i in range(0, len(blocks), per)]
            layer_p = layer + [zero_piece] * (pow2(len(layer)) - len(layer))
            root = merkle(layer_p, len(layer_p))
            layers[root] = b"".join(layer)
        else:
            root = merkle(blocks, pow2(len(blocks)))
        meta[b"pieces root"] = root
    node[parts[-1].encode()] = {b"": meta}
    v1.append({b"length": len(data), b"path": [p.encode() for p in parts]})
    padded = data
    if len(data) % P and not last:
        pad = P - len(data) % P
        v1.append({b"attr": b"p", b"length": pad, b"path": [b".pad", str(pad).encode()]})
        padded = data + b"\0" * pad
    for i in range(0, len(padded), P): pieces += hashlib.sha1(padded[i:i+P]).digest()
info = {b"file tree": tree, b"files": v1, b"meta version": 2, b"name": b"demo", b"piece length": P, b"pieces": pieces}
e = lt.bencode(info)
print("btih", hashlib.sha1(e).hexdigest()); print("btmh", hashlib.sha256(e).hexdigest())
print("layers", lt.bencode(layers).hex()[:40], len(layers))
