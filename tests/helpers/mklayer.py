#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mklayer.py LAYOUT [options]: writes an image with layers given as a
small JSON spec into the OCI layout LAYOUT (made if missing; index.json
extended, the ref replaced), with right digests unless told otherwise: the
hostile and special layers of tests/images.bats (images.md "Hostile").

Layers (--layer JSON, once per layer, bottom first; or --tiny-layers N):
a JSON list of entries, each an object:
  {"name": "../x"}                          a regular file (type "f")
  {"name": "f", "data": "text", "mode": 420, "uid": 0, "gid": 0, "mtime": 0}
  {"name": "d", "type": "d"}                a directory
  {"name": "s", "type": "l", "target": "../../.."}   a symlink
  {"name": "h", "type": "h", "target": "/etc/passwd"} a hardlink
  {"name": "p", "type": "p"}; {"name": "c", "type": "c", "major": 1, "minor": 3}
  {"name": "b", "type": "b", ...}
  {"name": "big", "sparse": {"size": 10737418240, "map": [[0, 4096], [N, 4096]]}}
                                            a pax 1.0 sparse file (GNU tar's
                                            --posix form), data "x" repeated
  "xattrs": {"user.a": "v", "trusted.overlay.redirect": "/x"}  (SCHILY.xattr)
  "pax": {"key": "value"}                   more pax header records
  {"name": "many/f%d", "count": 50000}      50000 entries, %d their number

Blob and JSON faults:
  --compress gzip|zstd|none|xz|zip   (xz and zip: refused formats)
  --media-type TYPE                  the layer descriptor's (default from --compress)
  --flip-byte                        flip a byte of the (last) layer blob after hashing
  --wrong-diff-id                    the config's last diff_id off by one bit
  --size-delta N                     the last layer descriptor's size + N
  --truncate N                       cut N bytes off the last blob's end, digests of what is left
  --dup-key manifest|config|index    a duplicated JSON key (the second a different value)
  --nest N                           N image indexes between index.json and the manifest
  --pad-index BYTES                  index.json padded with an annotation to BYTES
  --manifest-digest DIGEST           index.json names this digest for the manifest
  --arch ARCH --os OS --variant V    the config's and descriptor's platform
  --base REF                         start from REF's layers and config (same layout)
  --ref NAME                         org.opencontainers.image.ref.name (default "latest")
  --config-json JSON                 merged into the config's "config" object
Prints the manifest digest.
"""
import argparse
import gzip
import hashlib
import io
import json
import lzma
import os
import platform
import subprocess
import sys
import tarfile
import zipfile

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar"

GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386",
          "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def put_blob(layout, data):
    d = sha(data)
    path = os.path.join(layout, "blobs", "sha256", d[7:])
    with open(path, "wb") as f:
        f.write(data)
    return d


def get_blob(layout, digest):
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "rb") as f:
        return f.read()


def jdump(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sparse_member(e):
    """A pax 1.0 sparse member: the map as decimal lines, padded to a block,
    then each chunk's data; GNU.sparse.* records say the real name and size."""
    sp = e["sparse"]
    mp = sp["map"]
    text = "%d\n" % len(mp) + "".join("%d\n%d\n" % (o, n) for o, n in mp)
    head = text.encode()
    head += b"\0" * (-len(head) % 512)
    fill = e.get("data", "x").encode() or b"x"
    data = b"".join((fill * (n // len(fill) + 1))[:n] for _, n in mp)
    ti = tarfile.TarInfo(os.path.join(os.path.dirname(e["name"]), "GNUSparseFile.0",
                                      os.path.basename(e["name"])))
    ti.size = len(head) + len(data)
    ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                      "GNU.sparse.name": e["name"], "GNU.sparse.realsize": str(sp["size"])}
    return ti, head + data


def expand(entries):
    """{"name": "many/f%d", "count": N}: N entries, %d the number."""
    for e in entries:
        if "count" in e:
            for i in range(e["count"]):
                x = dict(e)
                del x["count"]
                x["name"] = e["name"] % i
                yield x
        else:
            yield e


def make_tar(entries):
    entries = expand(entries)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            t = e.get("type", "f")
            payload = None
            if "sparse" in e:
                ti, payload = sparse_member(e)
            else:
                ti = tarfile.TarInfo(e["name"])
                if t == "f":
                    payload = e.get("data", "").encode()
                    ti.size = len(payload)
                elif t == "d":
                    ti.type = tarfile.DIRTYPE
                elif t == "l":
                    ti.type = tarfile.SYMTYPE
                    ti.linkname = e["target"]
                elif t == "h":
                    ti.type = tarfile.LNKTYPE
                    ti.linkname = e["target"]
                elif t == "p":
                    ti.type = tarfile.FIFOTYPE
                elif t in ("c", "b"):
                    ti.type = tarfile.CHRTYPE if t == "c" else tarfile.BLKTYPE
                    ti.devmajor = e.get("major", 1)
                    ti.devminor = e.get("minor", 3)
                else:
                    sys.exit("mklayer: unknown type %r" % t)
            ti.mode = e.get("mode", 0o755 if t == "d" else 0o644)
            ti.uid = e.get("uid", 0)
            ti.gid = e.get("gid", 0)
            ti.uname = ti.gname = ""
            ti.mtime = e.get("mtime", 0)
            pax = dict(ti.pax_headers)
            for k, v in e.get("xattrs", {}).items():
                pax["SCHILY.xattr." + k] = v
            pax.update(e.get("pax", {}))
            ti.pax_headers = pax
            tf.addfile(ti, io.BytesIO(payload) if payload is not None else None)
    return buf.getvalue()


def compress(tar, how):
    if how == "gzip":
        return gzip.compress(tar, mtime=0), MT_LAYER + "+gzip"
    if how == "zstd":
        out = subprocess.run(["zstd", "-q", "-c"], input=tar, stdout=subprocess.PIPE, check=True)
        return out.stdout, MT_LAYER + "+zstd"
    if how == "none":
        return tar, MT_LAYER
    if how == "xz":
        return lzma.compress(tar, format=lzma.FORMAT_XZ), MT_LAYER + "+gzip"
    if how == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("layer.tar", tar)
        return buf.getvalue(), MT_LAYER
    sys.exit("mklayer: unknown compression %r" % how)


def dup_key(obj, key_value):
    """Compact JSON of obj with a second "KEY": VALUE member appended."""
    text = jdump(obj)
    k, v = key_value
    return text[:-1] + b"," + json.dumps(k).encode() + b":" + jdump(v) + b"}"


def load_index(layout):
    p = os.path.join(layout, "index.json")
    if os.path.exists(p):
        with open(p, "rb") as f:
            return json.load(f)
    return {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []}


def base_of(layout, ref):
    idx = load_index(layout)
    for m in idx["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
            man = json.loads(get_blob(layout, m["digest"]))
            cfg = json.loads(get_blob(layout, man["config"]["digest"]))
            return man["layers"], cfg
    sys.exit("mklayer: no ref %r in %s" % (ref, layout))


def main():
    ap = argparse.ArgumentParser(prog="mklayer.py")
    ap.add_argument("layout")
    ap.add_argument("--layer", action="append", default=[])
    ap.add_argument("--tiny-layers", type=int, default=0)
    ap.add_argument("--compress", default="gzip")
    ap.add_argument("--media-type")
    ap.add_argument("--flip-byte", action="store_true")
    ap.add_argument("--wrong-diff-id", action="store_true")
    ap.add_argument("--size-delta", type=int, default=0)
    ap.add_argument("--truncate", type=int, default=0)
    ap.add_argument("--dup-key", choices=["manifest", "config", "index"])
    ap.add_argument("--nest", type=int, default=0)
    ap.add_argument("--pad-index", type=int, default=0)
    ap.add_argument("--manifest-digest")
    ap.add_argument("--os", default="linux")
    ap.add_argument("--arch", default=GOARCH.get(platform.machine(), platform.machine()))
    ap.add_argument("--variant")
    ap.add_argument("--base")
    ap.add_argument("--ref", default="latest")
    ap.add_argument("--config-json", default="{}")
    a = ap.parse_args()

    os.makedirs(os.path.join(a.layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(a.layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')

    layers, diff_ids, history = [], [], []
    cfg = {"architecture": a.arch, "os": a.os, "config": {}, "created": "1970-01-01T00:00:00Z"}
    if a.base:
        layers, cfg = base_of(a.layout, a.base)
        diff_ids = list(cfg["rootfs"]["diff_ids"])
        history = list(cfg.get("history", []))
    cfg["architecture"], cfg["os"] = a.arch, a.os
    if a.variant:
        cfg["variant"] = a.variant
    cfg.setdefault("config", {}).update(json.loads(a.config_json))

    specs = [json.loads(s) for s in a.layer]
    specs += [[{"name": "f%d" % i, "data": "%d\n" % i}] for i in range(a.tiny_layers)]
    for n, entries in enumerate(specs):
        last = n == len(specs) - 1
        tar = make_tar(entries)
        blob, mt = compress(tar, a.compress)
        if last and a.truncate:
            blob = blob[:-a.truncate]
        desc = {"mediaType": a.media_type or mt, "digest": put_blob(a.layout, blob),
                "size": len(blob)}
        if last and a.flip_byte:
            b = bytearray(blob)
            b[len(b) // 2] ^= 0x01
            with open(os.path.join(a.layout, "blobs", "sha256", desc["digest"][7:]), "wb") as f:
                f.write(b)
        if last:
            desc["size"] += a.size_delta
        did = sha(tar)
        if last and a.wrong_diff_id:
            did = did[:-1] + ("0" if did[-1] != "0" else "1")
        layers.append(desc)
        diff_ids.append(did)
        history.append({"created": "1970-01-01T00:00:00Z", "created_by": "mklayer.py"})
    cfg["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
    cfg["history"] = history

    cfg_bytes = dup_key(cfg, ("os", "windows")) if a.dup_key == "config" else jdump(cfg)
    man = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
           "config": {"mediaType": MT_CONFIG, "digest": put_blob(a.layout, cfg_bytes),
                      "size": len(cfg_bytes)},
           "layers": layers}
    man_bytes = dup_key(man, ("layers", [])) if a.dup_key == "manifest" else jdump(man)
    plat = {"os": a.os, "architecture": a.arch}
    if a.variant:
        plat["variant"] = a.variant
    top = {"mediaType": MT_MANIFEST, "digest": put_blob(a.layout, man_bytes),
           "size": len(man_bytes), "platform": plat}
    man_digest = top["digest"]
    for _ in range(a.nest):
        idx = jdump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [top]})
        top = {"mediaType": MT_INDEX, "digest": put_blob(a.layout, idx), "size": len(idx)}
    if a.manifest_digest:
        top["digest"] = a.manifest_digest
    top["annotations"] = {"org.opencontainers.image.ref.name": a.ref}

    index = load_index(a.layout)
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != a.ref]
    index["manifests"].append(top)
    if a.pad_index:
        index.setdefault("annotations", {})["ctu.pad"] = ""
        short = len(jdump(index))
        index["annotations"]["ctu.pad"] = "x" * max(0, a.pad_index - short)
    if a.dup_key == "index":
        text = dup_key(index, ("manifests", []))
    else:
        text = jdump(index)
    with open(os.path.join(a.layout, "index.json.tmp"), "wb") as f:
        f.write(text)
    os.rename(os.path.join(a.layout, "index.json.tmp"), os.path.join(a.layout, "index.json"))
    print(man_digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
