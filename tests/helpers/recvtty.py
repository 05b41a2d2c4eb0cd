#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""recvtty: the receiving end of a runtime's --console-socket (runc's contrib/cmd/recvtty).

Listens on SOCKET, accepts one connection, receives the pty master over
SCM_RIGHTS, optionally writes --input to it, then copies everything the
container prints to --output (or discards it) until the pty closes.

    recvtty.py [--pid-file F] [--output F] [--input TEXT] SOCKET
"""
import argparse
import array
import os
import socket
import sys


def recv_fd(conn):
    fds = array.array("i")
    msg, ancdata, _flags, _addr = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if len(fds) != 1:
        sys.exit("recvtty: expected exactly one fd over SCM_RIGHTS, got %d" % len(fds))
    return fds[0], msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid-file")
    ap.add_argument("--output")
    ap.add_argument("--input")
    ap.add_argument("socket")
    args = ap.parse_args()

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(1)
    if args.pid_file:
        with open(args.pid_file + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pid_file + ".tmp", args.pid_file)

    conn, _ = srv.accept()
    master, name = recv_fd(conn)
    conn.close()
    srv.close()
    out = open(args.output, "ab", buffering=0) if args.output else None
    if out:
        # The first line names what the runtime sent: the message and the fd type.
        kind = "pty" if os.isatty(master) else "notty"
        out.write(b"recvtty: " + name + b" " + kind.encode() + b"\n")
    if args.input:
        os.write(master, args.input.encode())
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: every slave end is closed
            break
        if not data:
            break
        if out:
            out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
