#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a corpus of hostile docker-save archives into DIR, one per case.

Each case is a complete, well-formed docker-save archive (manifest.json, config with
the right diffIDs) whose last layer carries the attack, so that only the layer checks
can refuse it.  The escape target is OUTSIDE (a directory the test watches): nothing
may appear there.  Usage: gen-hostile-tars.py DIR OUTSIDE
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def entry(tf, name, kind="file", data=b"", target=None, mode=0o644, size=None):
    ti = tarfile.TarInfo(name)
    ti.mode = mode
    ti.mtime = 1000000000
    if kind == "file":
        ti.size = len(data) if size is None else size
        tf.addfile(ti, io.BytesIO(data))
        return
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
    elif kind == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = target
    tf.addfile(ti)


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            entry(tf, *e[:2], **(e[2] if len(e) > 2 else {}))
    return buf.getvalue()


def bomb_layer(n):
    """n tiny files: a tar bomb by entry count"""
    return layer([("f%07d" % i, "file", {"data": b""}) for i in range(n)])


def archive(path, layers, ref="hostile/case:1"):
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    chex = hashlib.sha256(config).hexdigest()
    names = ["%064x/layer.tar" % (i + 1) for i in range(len(layers))]
    manifest = json.dumps([{"Config": chex + ".json", "RepoTags": [ref], "Layers": names}]).encode()
    with tarfile.open(path, "w") as tf:
        for n, l in zip(names, layers):
            entry(tf, n, data=l)
        entry(tf, chex + ".json", data=config)
        entry(tf, "manifest.json", data=manifest)


def main():
    out, outside = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    base = layer([("bin", "dir"), ("bin/ok", "file", {"data": b"ok"})])
    rel = os.path.relpath(outside, "/")
    cases = {
        "traversal": [("../../../../../../" + rel + "/pwned", "file", {"data": b"x"})],
        "traversal-deep": [("a/b/../../../../../../../../" + rel + "/pwned", "file", {"data": b"x"})],
        "absolute": [(outside + "/pwned", "file", {"data": b"x"})],
        "symlink-escape": [("evil", "symlink", {"target": outside}),
                           ("evil/pwned", "file", {"data": b"x"})],
        "symlink-escape-relative": [("evil", "symlink", {"target": "../../../../../../../" + rel}),
                                    ("evil/pwned", "file", {"data": b"x"})],
        "hardlink-escape": [("pwned", "hardlink", {"target": "../../../../../../etc/passwd"})],
        "hardlink-absolute": [("pwned", "hardlink", {"target": "/etc/passwd"})],
        # the link target exists only in the earlier layer: linking across layers is refused
        "hardlink-earlier-layer": [("pwned", "hardlink", {"target": "bin/ok"})],
        "hardlink-via-symlink": [("d", "symlink", {"target": "/etc"}),
                                 ("pwned", "hardlink", {"target": "d/passwd"})],
        "whiteout-dotdot": [("a", "dir"), ("a/.wh...", "file")],
        "whiteout-dot": [("a", "dir"), ("a/.wh..", "file")],
        "whiteout-through-symlink": [("evil", "symlink", {"target": outside}),
                                     ("evil/.wh.victim", "file")],
    }
    for name, ents in cases.items():
        archive(os.path.join(out, name + ".tar"), [base, layer(ents)])
    # tar bombs: refused by the limits the test passes (--max-entries 1000, --max-layer-bytes 1 MiB)
    archive(os.path.join(out, "bomb-entries.tar"), [base, bomb_layer(5000)])
    big = layer([("big", "file", {"data": b"\0" * (4 << 20)})])
    archive(os.path.join(out, "bomb-bytes.tar"), [base, big])
    # integrity: a layer whose diffID in the config is wrong
    good = layer([("x", "file", {"data": b"x"})])
    archive(os.path.join(out, "diffid-mismatch.tar"), [base, good])
    with tarfile.open(os.path.join(out, "diffid-mismatch.tar")) as tf:
        members = [(m, tf.extractfile(m).read() if m.isfile() else None) for m in tf.getmembers()]
    with tarfile.open(os.path.join(out, "diffid-mismatch.tar"), "w") as tf:
        for m, data in members:
            if m.name.endswith("/layer.tar") and data == good:
                data = layer([("x", "file", {"data": b"y"})])
                m.size = len(data)
            tf.addfile(m, io.BytesIO(data) if data is not None else None)
    # truncated archive
    with open(os.path.join(out, "diffid-mismatch.tar"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated.tar"), "wb") as f:
        f.write(whole[: len(whole) // 3])


if __name__ == "__main__":
    main()
