#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Convert a Docker seccomp profile (archMap, includes/excludes) into the OCI
linux.seccomp object dockerd hands to the runtime, the way moby's
profiles/seccomp setupSeccomp() does for one architecture, capability bounding
set and kernel version.

usage: docker-to-oci.py PROFILE [--arch amd64] [--kernel 6.1] [--cap CAP_X ...]
Without --cap, Docker's default capability set is used."""
import argparse
import json
import sys

DEFAULT_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]
NATIVE = {"amd64": "SCMP_ARCH_X86_64", "386": "SCMP_ARCH_X86", "arm64": "SCMP_ARCH_AARCH64",
          "arm": "SCMP_ARCH_ARM", "s390x": "SCMP_ARCH_S390X", "riscv64": "SCMP_ARCH_RISCV64"}


def kver(s):
    return tuple(int(x) for x in s.split(".")[:2])


def keep(call, arch, caps, kernel):
    inc, exc = call.get("includes") or {}, call.get("excludes") or {}
    if arch in (exc.get("arches") or []):
        return False
    if any(c in caps for c in (exc.get("caps") or [])):
        return False
    if exc.get("minKernel") and kernel >= kver(exc["minKernel"]):
        return False
    if inc.get("arches") and arch not in inc["arches"]:
        return False
    if any(c not in caps for c in (inc.get("caps") or [])):
        return False
    if inc.get("minKernel") and kernel < kver(inc["minKernel"]):
        return False
    return True


def convert(prof, arch, caps, kernel):
    out = {"defaultAction": prof["defaultAction"]}
    if "defaultErrnoRet" in prof:
        out["defaultErrnoRet"] = prof["defaultErrnoRet"]
    archs = []
    for m in prof.get("archMap") or []:
        if m["architecture"] == NATIVE.get(arch):
            archs += [m["architecture"]] + (m.get("subArchitectures") or [])
    out["architectures"] = archs
    out["syscalls"] = []
    for call in prof["syscalls"]:
        if not keep(call, arch, caps, kernel):
            continue
        new = {"names": call.get("names") or [call["name"]], "action": call["action"]}
        if "errnoRet" in call:
            new["errnoRet"] = call["errnoRet"]
        if call.get("args"):
            new["args"] = call["args"]
        out["syscalls"].append(new)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("profile")
    ap.add_argument("--arch", default="amd64")
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--cap", action="append")
    a = ap.parse_args()
    with open(a.profile) as f:
        prof = json.load(f)
    json.dump(convert(prof, a.arch, a.cap or DEFAULT_CAPS, kver(a.kernel)), sys.stdout, indent="\t")
    sys.stdout.write("\n")


main()
