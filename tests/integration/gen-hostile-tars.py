#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a corpus of hostile image archives into DIR, one per case (hostile_layers.bats).

Each case is a complete, well-formed docker-save archive (manifest.json, a config
with the right diffIDs) or OCI image layout (as a tar) whose attack is in one place,
so that only the check under test can refuse it.  The escape target is OUTSIDE (a
directory the test watches): nothing may appear there.

File names say what the test expects:
  refuse-*.tar    import fails with an error naming image, layer and entry (or
                  blob); nothing is left: no layer, no ref, nothing in tmp/
  contain-*.tar   import succeeds and everything stays inside the layer dirs
                  (the test checks each one's layers)
  limit-*.tar     refused only by the limits the test passes (--max-entries 1000,
                  --max-layer-bytes 1 MiB, --max-path 256)
  enospc-*.tar    2 MiB of random bytes, for a store on a tiny tmpfs
Usage: gen-hostile-tars.py DIR OUTSIDE
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

REF = "hostile/case:1"


def entry(tf, name, kind="file", data=b"", target=None, mode=None, major=0, minor=0):
    ti = tarfile.TarInfo(name)
    ti.mtime = 1000000000
    ti.mode = 0o644 if mode is None else mode
    if kind == "file":
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
        return
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755 if mode is None else mode
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
    elif kind == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = target
    elif kind in ("char", "block"):
        ti.type = tarfile.CHRTYPE if kind == "char" else tarfile.BLKTYPE
        ti.devmajor, ti.devminor = major, minor
    elif kind == "fifo":
        ti.type = tarfile.FIFOTYPE
    tf.addfile(ti)


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            entry(tf, *e[:2], **(e[2] if len(e) > 2 else {}))
    return buf.getvalue()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_for(layers):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                       "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]}}).encode()


def docker_save(path, layers, drop_layer=False):
    """docker-save archive; drop_layer: the manifest names a layer the archive lacks"""
    config = config_for(layers)
    chex = hashlib.sha256(config).hexdigest()
    names = ["%064x/layer.tar" % (i + 1) for i in range(len(layers))]
    manifest = json.dumps([{"Config": chex + ".json", "RepoTags": [REF], "Layers": names}]).encode()
    with tarfile.open(path, "w") as tf:
        for i, (n, l) in enumerate(zip(names, layers)):
            if not (drop_layer and i == len(layers) - 1):
                entry(tf, n, data=l)
        entry(tf, chex + ".json", data=config)
        entry(tf, "manifest.json", data=manifest)


def oci_layout(path, layers, gzipped=True, media_type=None, mutate_blob=None, drop_blob=False,
               diff_ids=None, corrupt_blob=None):
    """OCI image layout as a tar; the last layer's blob may be altered before its digest
    is taken (corrupt_blob: only unpacking can tell) or after (mutate_blob), left out
    (drop_blob) or given another media type."""
    blobs = {}

    def put(data):
        blobs[sha(data)] = data
        return {"digest": sha(data), "size": len(data)}

    descs = []
    for i, l in enumerate(layers):
        data = gzip.compress(l, mtime=0) if gzipped else l
        if i == len(layers) - 1 and corrupt_blob:
            data = corrupt_blob(data)
        d = put(data)
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gzipped else "")
        last = i == len(layers) - 1
        if last and media_type:
            d["mediaType"] = media_type
        if last and mutate_blob:
            blobs[d["digest"]] = mutate_blob(data)
        if last and drop_blob:
            del blobs[d["digest"]]
        descs.append(d)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers",
                                    "diff_ids": diff_ids or [sha(l) for l in layers]}}).encode()
    c = put(config)
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": c, "layers": descs}).encode()
    md = put(man)
    md["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    md["annotations"] = {"org.opencontainers.image.ref.name": REF}
    index = json.dumps({"schemaVersion": 2, "manifests": [md]}).encode()
    with tarfile.open(path, "w") as tf:
        entry(tf, "oci-layout", data=b'{"imageLayoutVersion":"1.0.0"}')
        entry(tf, "index.json", data=index)
        for dg, data in sorted(blobs.items()):
            entry(tf, "blobs/sha256/" + dg[len("sha256:"):], data=data)


def main():
    out, outside = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    base = layer([("bin", "dir"), ("bin/ok", "file", {"data": b"ok"})])
    rel = os.path.relpath(outside, "/")
    up = "../" * 12
    x = {"data": b"x"}

    # one hostile layer on top of base: every one must be refused
    refuse = {
        "traversal": [(up + rel + "/pwned", "file", x)],
        "traversal-deep": [("a/b/../../../../../../../../" + rel + "/pwned", "file", x)],
        "absolute": [(outside + "/pwned", "file", x)],
        "symlink-escape": [("evil", "symlink", {"target": outside}), ("evil/pwned", "file", x)],
        "symlink-escape-relative": [("evil", "symlink", {"target": up + rel}), ("evil/pwned", "file", x)],
        # a chain: a -> b/c, b -> <up>: a/pwned would land in OUTSIDE/c on the host
        "symlink-chain": [("b", "symlink", {"target": up + rel}), ("a", "symlink", {"target": "b/c"}),
                          ("a/pwned", "file", x)],
        "symlink-chain-absolute": [("b", "symlink", {"target": "/"}),
                                   ("a", "symlink", {"target": "b" + outside}), ("a/pwned", "file", x)],
        "symlink-then-dir-entry": [("evil", "symlink", {"target": outside}), ("evil/sub", "dir")],
        "hardlink-escape": [("pwned", "hardlink", {"target": up + "etc/passwd"})],
        "hardlink-absolute": [("pwned", "hardlink", {"target": "/etc/passwd"})],
        # the link target exists only in the earlier layer: linking across layers is refused
        "hardlink-earlier-layer": [("pwned", "hardlink", {"target": "bin/ok"})],
        "hardlink-via-symlink": [("d", "symlink", {"target": "/etc"}),
                                 ("pwned", "hardlink", {"target": "d/passwd"})],
        # a hardlink to a hardlink whose own target escapes
        "hardlink-chain": [("f", "file", x), ("g", "hardlink", {"target": "f"}),
                           ("h", "hardlink", {"target": "g/../" + up + "etc/passwd"})],
        "hardlink-to-dir": [("d", "dir"), ("pwned", "hardlink", {"target": "d"})],
        "whiteout-dotdot": [("a", "dir"), ("a/.wh...", "file")],
        "whiteout-dot": [("a", "dir"), ("a/.wh..", "file")],
        "whiteout-empty": [("a", "dir"), ("a/.wh.", "file")],
        "whiteout-root-dotdot": [(".wh...", "file")],
        "whiteout-root-dot": [(".wh..", "file")],
        "whiteout-absolute": [("/.wh.etc", "file")],
        "whiteout-through-symlink": [("evil", "symlink", {"target": outside}), ("evil/.wh.victim", "file")],
        "opaque-through-symlink": [("evil", "symlink", {"target": outside}), ("evil/.wh..wh..opq", "file")],
    }
    for name, ents in refuse.items():
        docker_save(os.path.join(out, "refuse-" + name + ".tar"), [base, layer(ents)])

    # an EARLIER layer plants the link; the later one writes through it.  Each layer
    # unpacks into its own directory, so in layer 2 "d" does not exist: its entries
    # make a real directory d there (overlay shows it over layer 1's link).
    for name, target in (("earlier-link-absolute", "/etc"), ("earlier-link-relative", up + rel)):
        l1 = layer([("d", "symlink", {"target": target})])
        docker_save(os.path.join(out, "contain-" + name + ".tar"),
                    [base, l1, layer([("d/x", "file", x), ("d/.wh.passwd", "file")])])
    # ... and a hardlink or a whiteout through that earlier link is refused / contained
    l1 = layer([("d", "symlink", {"target": "/etc"})])
    docker_save(os.path.join(out, "refuse-earlier-link-hardlink.tar"),
                [base, l1, layer([("pwned", "hardlink", {"target": "d/passwd"})])])

    # device nodes and setuid: stored as such, inside the layer dir only
    docker_save(os.path.join(out, "contain-devices.tar"), [base, layer([
        ("dev", "dir"), ("dev/mynull", "char", {"major": 1, "minor": 3, "mode": 0o666}),
        ("dev/mymem", "char", {"major": 1, "minor": 1, "mode": 0o666}),
        ("dev/myloop", "block", {"major": 7, "minor": 0, "mode": 0o660}),
        ("dev/fifo", "fifo", {"mode": 0o600})])])
    docker_save(os.path.join(out, "contain-setuid.tar"), [base, layer([
        ("bin/su-root", "file", {"data": b"#!/bin/sh\n", "mode": 0o4755}),
        ("bin/sg", "file", {"data": b"#!/bin/sh\n", "mode": 0o2755}),
        ("tmp", "dir", {"mode": 0o1777})])])

    # tar bombs, refused by the limits the test passes
    docker_save(os.path.join(out, "limit-entries.tar"),
                [base, layer([("f%07d" % i, "file", {"data": b""}) for i in range(5000)])])
    docker_save(os.path.join(out, "limit-bytes.tar"), [base, layer([("big", "file", {"data": b"\0" * (4 << 20)})])])
    docker_save(os.path.join(out, "limit-path.tar"), [base, layer([("d" * 200 + "/" + "e" * 200, "file", x)])])
    # a gzip bomb: 64 MiB of zeros in a 64 KiB blob
    oci_layout(os.path.join(out, "limit-gzip-bomb.tar"),
               [base, layer([("zeros", "file", {"data": b"\0" * (64 << 20)})])])

    # random (incompressible, not sparse) bytes for a store on a tiny tmpfs: ENOSPC
    docker_save(os.path.join(out, "enospc-random.tar"),
                [base, layer([("rand%d" % i, "file", {"data": os.urandom(256 << 10)}) for i in range(8)])])

    # integrity and format
    good = layer([("x", "file", x)])
    docker_save(os.path.join(out, "refuse-diffid-mismatch.tar"), [base, good])
    with tarfile.open(os.path.join(out, "refuse-diffid-mismatch.tar")) as tf:
        members = [(m, tf.extractfile(m).read() if m.isfile() else None) for m in tf.getmembers()]
    with tarfile.open(os.path.join(out, "refuse-diffid-mismatch.tar"), "w") as tf:
        for m, data in members:
            if m.name.endswith("/layer.tar") and data == good:
                data = layer([("x", "file", {"data": b"y"})])
                m.size = len(data)
            tf.addfile(m, io.BytesIO(data) if data is not None else None)
    with open(os.path.join(out, "refuse-diffid-mismatch.tar"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "refuse-truncated.tar"), "wb") as f:
        f.write(whole[: len(whole) // 3])
    docker_save(os.path.join(out, "refuse-missing-layer.tar"), [base, good], drop_layer=True)
    # OCI layout: a blob whose bytes do not match its digest, a blob that is not
    # there, a layer media type we cannot unpack, a gzip stream corrupt midway
    oci_layout(os.path.join(out, "refuse-oci-blob-digest.tar"), [base, good],
               mutate_blob=lambda d: gzip.compress(layer([("x", "file", {"data": b"z"})]), mtime=0))
    oci_layout(os.path.join(out, "refuse-oci-missing-blob.tar"), [base, good], drop_blob=True)
    oci_layout(os.path.join(out, "refuse-oci-media-type.tar"), [base, good],
               media_type="application/vnd.example.layer.v1.tar+lz5")
    big = layer([("r%03d" % i, "file", {"data": os.urandom(4096)}) for i in range(64)])

    def corrupt(data):
        b = bytearray(data)
        for i in range(len(b) // 2, len(b) // 2 + 64):
            b[i] ^= 0x5A
        return bytes(b)

    # a gzip stream corrupt midway, with a matching digest: only inflating tells
    oci_layout(os.path.join(out, "refuse-oci-corrupt-gzip.tar"), [base, big], corrupt_blob=corrupt)
    oci_layout(os.path.join(out, "refuse-oci-diffid-mismatch.tar"), [base, good],
               diff_ids=[sha(base), sha(b"not the layer")])


if __name__ == "__main__":
    main()
