#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal Kubernetes CRI client (Debian has no crictl): one call per invocation.

    cri.py --socket unix:///path/containerd.sock METHOD [REQUEST_JSON]

METHOD is a CRI v1 RPC name (RunPodSandbox, CreateContainer, ExecSync, ...) of
RuntimeService or ImageService; REQUEST_JSON is the request message in protobuf's
JSON mapping (lowerCamelCase or the proto field names), "{}" by default.  The
response is printed as JSON (proto field names, defaults included); a gRPC error
prints "CODE: details" on stderr and exits 1.

The message classes are generated from the CRI api.proto (kubernetes/cri-api
v0.25.0) with protoc --python_out into a cache directory; the gogoproto import and
options are stripped first (they only matter to Go).  The gRPC stubs are not
generated: a unary call needs only the method path and the two message classes.
Needs Debian's python3-grpcio, python3-protobuf and protobuf-compiler.
"""
import argparse
import hashlib
import importlib
import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import json_format

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.join(HERE, "api.proto")  # a copy of kubernetes/cri-api (see SOURCE.md)


def load_api(proto):
    with open(proto, "rb") as f:
        src = f.read()
    digest = hashlib.sha256(src).hexdigest()[:16]
    cache = os.path.join(os.environ.get("CRI_CACHE", tempfile.gettempdir()), "nestrun-cri-" + digest)
    if not os.path.exists(os.path.join(cache, "api_pb2.py")):
        os.makedirs(cache, exist_ok=True)
        stripped = [l for l in src.decode().splitlines(True) if "gogo" not in l]
        tmp = tempfile.mkdtemp(dir=cache)
        with open(os.path.join(tmp, "api.proto"), "w") as f:
            f.writelines(stripped)
        subprocess.run(["protoc", "-I", tmp, "--python_out", tmp, os.path.join(tmp, "api.proto")], check=True)
        os.replace(os.path.join(tmp, "api_pb2.py"), os.path.join(cache, "api_pb2.py"))
    sys.path.insert(0, cache)
    return importlib.import_module("api_pb2")


def find_method(api, name):
    for service in api.DESCRIPTOR.services_by_name.values():
        m = service.methods_by_name.get(name)
        if m is not None:
            return service, m
    raise SystemExit("cri.py: no CRI method %r" % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--socket", default=os.environ.get("CRI_SOCKET", "unix:///run/containerd/containerd.sock"))
    ap.add_argument("--proto", default=os.environ.get("CRI_API_PROTO", DEFAULT_PROTO))
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("method")
    ap.add_argument("request", nargs="?", default="{}")
    a = ap.parse_args()

    api = load_api(a.proto)
    service, method = find_method(api, a.method)
    req_cls = getattr(api, method.input_type.name)
    resp_cls = getattr(api, method.output_type.name)
    if method.server_streaming:
        raise SystemExit("cri.py: streaming method %s is not supported" % a.method)
    req = json_format.Parse(a.request, req_cls())

    sock = a.socket if "://" in a.socket else "unix://" + a.socket
    with grpc.insecure_channel(sock) as ch:
        call = ch.unary_unary("/%s/%s" % (service.full_name, method.name),
                              request_serializer=req_cls.SerializeToString,
                              response_deserializer=resp_cls.FromString)
        try:
            resp = call(req, timeout=a.timeout)
        except grpc.RpcError as e:
            sys.stderr.write("%s: %s\n" % (e.code().name, e.details()))
            return 1
    print(json_format.MessageToJson(resp, preserving_proto_field_name=True,
                                    including_default_value_fields=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
