#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Install everything nestrun needs to build and test, on a fresh Debian 12
# machine, as root, without questions.  Safe to run again.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root" >&2
	exit 1
fi

PACKAGES=(
	# build
	build-essential autoconf automake libtool pkg-config gcc clang make
	libyajl-dev libseccomp-dev libcap-dev libarchive-dev libnl-3-dev libnl-route-3-dev
	libzstd-dev liblzma-dev libbz2-dev zlib1g-dev libacl1-dev liblz4-dev
	# fuzzers and sanitizers (clang-14's runtime), static analysis
	libclang-rt-14-dev libfuzzer-14-dev clang-tools-14 clang-format-14 cppcheck shellcheck
	# integration tests
	bats jq busybox-static iproute2 iptables util-linux procps psmisc kmod
	python3 file rsync tar git bsdutils binutils
	# the CRI client (tests/cri/cri.py)
	python3-grpcio python3-protobuf protobuf-compiler
	# engines driven by the end-to-end tests and benchmarks
	docker.io containerd runc crun podman conmon
	# benchmark plots (bench/nested-chain.sh runs Debian's /usr/bin/python3)
	python3-matplotlib
)

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
apt-get update -q
# The docker.io package starts a system dockerd; the tests start their own and
# never use the system one, so do not fail when no init system can start it.
apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" </dev/null
