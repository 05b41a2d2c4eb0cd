#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerate the seed corpora of the fuzz targets that are not config.json:
tests/fuzz/corpus/{process,resources,state,image,layer}/.  Deterministic, so a rerun
changes nothing.  The spec's examples come from SPEC (default
tests/data/oci-runtime-spec, the copy kept in the tree).

Usage: tests/fuzz/gen-corpus.py [SPEC_DIR]"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
SPEC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../data/oci-runtime-spec")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = json.dumps(data, indent=1).encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def spec_examples():
    base = os.path.join(SPEC, "schema/test")
    out = {}
    for kind in ("config", "state"):
        for verdict in ("good", "bad"):
            d = os.path.join(base, kind, verdict)
            if os.path.isdir(d):
                for n in sorted(os.listdir(d)):
                    with open(os.path.join(d, n), "rb") as f:
                        out["%s-%s-%s" % (kind, verdict, n)] = f.read()
    return out


def process_and_resources(spec):
    for name, raw in spec.items():
        if not name.startswith("config-"):
            continue
        try:
            doc = json.loads(raw)
        except ValueError:
            put("process", "spec-" + name[7:], raw)
            continue
        if "process" in doc:
            put("process", "spec-" + name[7:], doc["process"])
        res = doc.get("linux", {}).get("resources")
        if res:
            put("resources", "spec-" + name[7:], res)
    put("process", "exec-minimal.json", {"args": ["sh"], "cwd": "/"})
    put("process", "exec-docker.json", {
        "terminal": False, "user": {"uid": 0, "gid": 0, "additionalGids": [1, 2, 3]},
        "args": ["/bin/sh", "-c", "echo hi"], "env": ["PATH=/usr/bin:/bin", "HOSTNAME=x"],
        "cwd": "/root", "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                                         "permitted": ["CAP_KILL"]},
        "apparmorProfile": "docker-default", "noNewPrivileges": True,
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
        "scheduler": {"policy": "SCHED_OTHER", "nice": 5}, "oomScoreAdj": 100,
        "consoleSize": {"height": 0, "width": 0}})
    put("process", "bad-relative-cwd.json", {"args": ["sh"], "cwd": "relative"})
    put("process", "bad-no-args.json", {"args": [], "cwd": "/"})
    put("process", "bad-types.json", {"args": "sh", "cwd": 7, "user": {"uid": -1}})
    put("process", "bad-env.json", {"args": ["sh"], "cwd": "/", "env": ["NOEQUALS", "=x", ""]})
    put("resources", "update-docker.json", {
        "memory": {"limit": 104857600, "reservation": 52428800, "swap": 209715200},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0-1", "mems": "0"},
        "pids": {"limit": 100}, "blockIO": {"weight": 500}})
    put("resources", "update-unified.json", {"unified": {"memory.high": "max", "pids.max": "10"}})
    put("resources", "bad-negative.json", {"memory": {"limit": -2}, "cpu": {"quota": -5, "period": 0}})
    put("resources", "bad-cpuset.json", {"cpu": {"cpus": "0-,x,99999999999"}})
    put("resources", "bad-device.json", {"devices": [{"allow": True, "type": "q", "major": -7,
                                                      "minor": 4294967296, "access": "rwmx"}]})


def state_docs(spec):
    for name, raw in spec.items():
        if name.startswith("state-"):
            put("state", "spec-" + name[6:], raw)
    good = {"id": "ctr-1", "pid": 4242, "pid_start": 123456, "bundle": "/run/b", "rootfs": "/run/b/rootfs",
            "created": "2024-01-02T03:04:05.123456789Z", "owner": "", "cgroup": "v1:/nestrun/ctr-1",
            "started": True, "systemd_cgroup": False, "userns": False,
            "annotations": {"org.example": "x", "a": ""}}
    put("state", "state-running.json", good)
    put("state", "state-created.json", dict(good, started=False, pid=1))
    put("state", "bad-id-traversal.json", dict(good, id="../../etc"))
    put("state", "bad-pid.json", dict(good, pid=-1))
    put("state", "bad-pid-huge.json", dict(good, pid=2 ** 40))
    put("state", "bad-types.json", {"id": 5, "pid": "1", "annotations": ["x"], "started": "yes"})
    put("state", "truncated.json", json.dumps(good)[:60])


def sha(b):
    return hashlib.sha256(b).hexdigest()


def image_docs():
    layer_ids = ["sha256:" + sha(b"layer%d" % i) for i in range(3)]
    config = {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": layer_ids}}
    cfg = json.dumps(config)
    # docker save: manifest.json + config as c1.json
    manifest = [{"Config": "c1.json", "RepoTags": ["busybox:latest", "example.com/a/b:1"],
                 "Layers": ["%064x/layer.tar" % i for i in range(3)]}]
    put("image", "docker-save.txt", json.dumps(manifest) + "\n##\n" + cfg)
    put("image", "docker-save-bad-count.txt",
        json.dumps([{"Config": "c1.json", "RepoTags": None, "Layers": ["x"]}]) + "\n##\n" + cfg)
    put("image", "docker-save-two.txt",
        json.dumps(manifest + [{"Config": "c1.json", "RepoTags": ["x"], "Layers": manifest[0]["Layers"]}])
        + "\n##\n" + cfg)
    # OCI layout: index.json -> manifest (@1) -> config (@2)
    oci_manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": "sha256:@2", "size": len(cfg)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                "digest": "sha256:" + sha(b"blob%d" % i), "size": 100 + i} for i in range(3)]}
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:@1", "size": 1,
         "annotations": {"io.containerd.image.name": "docker.io/library/busybox:latest",
                         "org.opencontainers.image.ref.name": "latest"}}]}
    put("image", "oci-layout.txt", "\n##\n".join([json.dumps(index), json.dumps(oci_manifest), cfg]))
    # a nested (multi-platform) index: index.json -> index (@1) -> manifest (@2) -> config (@3)
    nested = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "0" * 64,
         "platform": {"os": "linux", "architecture": "arm64"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:@2",
         "platform": {"os": "linux", "architecture": "amd64"}}]}
    top = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:@1",
         "annotations": {"org.opencontainers.image.ref.name": "example.com/multi:2"}}]}
    m3 = json.loads(json.dumps(oci_manifest).replace("@2", "@3"))
    put("image", "oci-nested-index.txt", "\n##\n".join([json.dumps(top), json.dumps(nested), json.dumps(m3), cfg]))
    bad_mt = json.loads(json.dumps(oci_manifest))
    bad_mt["layers"][1]["mediaType"] = "application/vnd.example.evil"
    put("image", "oci-bad-media-type.txt", "\n##\n".join([json.dumps(index), json.dumps(bad_mt), cfg]))
    bad_dg = json.loads(json.dumps(oci_manifest))
    bad_dg["layers"][0]["digest"] = "sha256:../../../etc/passwd"
    put("image", "oci-bad-digest.txt", "\n##\n".join([json.dumps(index), json.dumps(bad_dg), cfg]))
    put("image", "oci-digest-mismatch.txt",
        "\n##\n".join([json.dumps(index).replace("@1", "0" * 64), json.dumps(oci_manifest), cfg]))
    put("image", "config-only.txt", cfg)
    put("image", "config-bad.txt", json.dumps({"rootfs": {"type": "layers", "diff_ids": ["md5:x", 7]}}))


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for e in entries:
            name, kind = e[0], e[1]
            o = e[2] if len(e) > 2 else {}
            ti = tarfile.TarInfo(name)
            ti.mtime = 1000000000
            ti.mode = o.get("mode", 0o644)
            ti.uid, ti.gid = o.get("uid", 0), o.get("gid", 0)
            if "pax" in o:
                ti.pax_headers = o["pax"]
            data = o.get("data", b"")
            if kind == "file":
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
                continue
            ti.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                       "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}[kind]
            if kind == "dir":
                ti.mode = o.get("mode", 0o755)
            ti.linkname = o.get("target", "")
            ti.devmajor, ti.devminor = o.get("dev", (0, 0))
            tf.addfile(ti)
    return buf.getvalue()


def layers():
    normal = [("bin", "dir"), ("bin/sh", "file", {"data": b"#!sh\n", "mode": 0o755}),
              ("bin/ls", "hardlink", {"target": "bin/sh"}), ("usr", "dir"),
              ("usr/bin", "symlink", {"target": "../bin"}), ("etc", "dir"),
              ("etc/passwd", "file", {"data": b"root:x:0:0::/:/bin/sh\n", "uid": 0}),
              ("home/u/f", "file", {"data": b"x", "uid": 1000, "gid": 1000}), ("tmp", "dir", {"mode": 0o1777})]
    put("layer", "normal.tar", tar_bytes(normal))
    put("layer", "normal.tar.gz", gzip.compress(tar_bytes(normal), mtime=0))
    put("layer", "gnu-format.tar", tar_bytes(normal, tarfile.GNU_FORMAT))
    put("layer", "whiteouts.tar", tar_bytes([
        ("etc", "dir"), ("etc/.wh.passwd", "file"), ("var", "dir"), ("var/.wh..wh..opq", "file"),
        ("var/new", "file", {"data": b"n"}), (".wh..wh.plnk", "dir"), (".wh.gone-dir", "file"),
        ("x/.wh.y", "file")]))
    put("layer", "special.tar", tar_bytes([
        ("dev", "dir"), ("dev/null", "char", {"dev": (1, 3), "mode": 0o666}),
        ("dev/sda", "block", {"dev": (8, 0)}), ("dev/huge", "char", {"dev": (4095, 1048575)}),
        ("fifo", "fifo"), ("suid", "file", {"data": b"s", "mode": 0o4755}),
        ("sgid-dir", "dir", {"mode": 0o2775}),
        ("cap", "file", {"data": b"c", "pax": {"SCHILY.xattr.security.capability": "\x01\x00\x00\x02" + "\x00" * 16,
                                              "SCHILY.xattr.user.note": "hello"}}),
        ("ovl", "file", {"data": b"o", "pax": {"SCHILY.xattr.trusted.overlay.redirect": "/etc",
                                              "SCHILY.xattr.trusted.overlay.opaque": "y"}})]))
    # hostile: each must be refused (or contained) with nothing outside the layer
    hostile = {
        "traversal": [("../../canary/pwned", "file", {"data": b"x"})],
        "traversal-deep": [("a/b/../../../../../canary/pwned", "file", {"data": b"x"})],
        "absolute": [("/tmp/nr-fuzz-absolute-pwned", "file", {"data": b"x"})],
        "symlink-escape": [("evil", "symlink", {"target": "../../../canary"}), ("evil/pwned", "file")],
        "symlink-absolute": [("evil", "symlink", {"target": "/tmp"}), ("evil/nr-fuzz-pwned", "file")],
        "symlink-chain": [("a", "symlink", {"target": "b"}), ("b", "symlink", {"target": "c"}),
                          ("c", "symlink", {"target": "../../../canary"}), ("a/pwned", "file")],
        "symlink-then-dir": [("d", "symlink", {"target": "../.."}), ("d/canary", "dir"),
                             ("d/canary/pwned", "file")],
        "hardlink-escape": [("pwned", "hardlink", {"target": "../../../canary"})],
        "hardlink-absolute": [("pwned", "hardlink", {"target": "/etc/passwd"})],
        "hardlink-via-symlink": [("d", "symlink", {"target": "/etc"}), ("pwned", "hardlink", {"target": "d/passwd"})],
        "hardlink-missing": [("pwned", "hardlink", {"target": "nothing/here"})],
        "hardlink-to-dir": [("d", "dir"), ("pwned", "hardlink", {"target": "d"})],
        "hardlink-to-root": [("pwned", "hardlink", {"target": "./"})],
        "whiteout-dotdot": [("a", "dir"), ("a/.wh...", "file")],
        "whiteout-dot": [("a/.wh..", "file")],
        "whiteout-empty": [(".wh.", "file")],
        "whiteout-through-symlink": [("evil", "symlink", {"target": "../../../canary"}), ("evil/.wh.x", "file")],
        "opaque-through-symlink": [("evil", "symlink", {"target": "/tmp"}), ("evil/.wh..wh..opq", "file")],
        "file-then-dir": [("x", "file"), ("x/y", "file")],
        "replace-symlink-with-file": [("s", "symlink", {"target": "/etc/passwd"}), ("s", "file", {"data": b"z"})],
        "long-path": [("a" * 200 + "/" + "b" * 200 + "/" + "c" * 700, "file")],
        "dot-entries": [(".", "dir"), ("./", "dir"), ("./a/./b/", "dir")],
    }
    for name, ents in sorted(hostile.items()):
        put("layer", "hostile-" + name + ".tar", tar_bytes(ents))
    put("layer", "bomb-entries.tar.gz", gzip.compress(tar_bytes([("f%05d" % i, "file") for i in range(1200)]), mtime=0))
    put("layer", "bomb-bytes.tar.gz", gzip.compress(tar_bytes([("big", "file", {"data": b"\0" * (5 << 20)})]), mtime=0))
    put("layer", "truncated.tar", tar_bytes(normal)[:1500])
    put("layer", "empty.tar", b"\0" * 1024)


def main():
    spec = spec_examples()
    process_and_resources(spec)
    state_docs(spec)
    image_docs()
    layers()


if __name__ == "__main__":
    main()
