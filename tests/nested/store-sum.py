#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One sha256 over a nestrun store as the nests share it: for every entry (but the
store's own bookkeeping: nests/, leases/, tmp/) its path, type, mode, owner, size,
link count, mtime and ctime, extended attributes, link target and content.  Any
write, chmod, chown, xattr, link, rename or delete that got through changes it.

usage: store-sum.py STORE [-v]   (-v: one line per entry instead of the sum)"""
import hashlib
import os
import stat
import sys

SKIP = {"nests", "leases", "tmp"}


def entry(root, rel):
    p = os.path.join(root, rel)
    st = os.lstat(p)
    fields = [rel, stat.filemode(st.st_mode), str(st.st_uid), str(st.st_gid)]
    # the top's size, links and times change with the bookkeeping dirs (made at the
    # first nest); an entry added or removed there shows in the listing anyway
    if rel != ".":
        fields += [str(st.st_size), str(st.st_nlink), str(st.st_mtime_ns), str(st.st_ctime_ns)]
    try:
        names = sorted(os.listxattr(p, follow_symlinks=False))
    except OSError:
        names = []
    for n in names:
        fields.append("%s=%s" % (n, os.getxattr(p, n, follow_symlinks=False).hex()))
    if stat.S_ISLNK(st.st_mode):
        fields.append("-> " + os.readlink(p))
    elif stat.S_ISREG(st.st_mode):
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        fields.append(h.hexdigest())
    return " ".join(fields), stat.S_ISDIR(st.st_mode)


def walk(root, rel, out):
    line, is_dir = entry(root, rel)
    out.append(line)
    if not is_dir:
        return
    for name in sorted(os.listdir(os.path.join(root, rel))):
        if rel == "." and name in SKIP:
            continue
        walk(root, os.path.normpath(os.path.join(rel, name)), out)


def main():
    lines = []
    walk(sys.argv[1], ".", lines)
    if "-v" in sys.argv[2:]:
        print("\n".join(lines))
    else:
        print(hashlib.sha256("\n".join(lines).encode()).hexdigest(), len(lines))


main()
