#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The README's main job, on a fresh Debian 12 machine, as root:
#   1. install the dependencies (hack/install-deps.sh)
#   2. build nestrun (a dynamic build, and the fully static one that gets injected)
#   3. install the static nestrun as /usr/local/sbin/nestrun (+ man page)
#   4. register it with Docker (`nestrun setup docker`: merges /etc/docker/daemon.json,
#      keeps a backup) and start dockerd if none runs
#   5. build two images from this machine's own files (no registry): busybox, and a
#      Docker-in-Docker image; import both into the shared store /var/lib/nestrun
#   6. run a depth-3 chain: host docker → DinD (depth 1) → DinD (depth 2) → busybox
#      (depth 3), the inner engines starting with the images pre-loaded, and print
#      `nestrun tree`
# Options: --keep (leave the demo containers running), --no-install (skip step 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep=no install=yes
for a in "$@"; do
	case "$a" in
	--keep) keep=yes ;;
	--no-install) install=no ;;
	*) echo "usage: $0 [--keep] [--no-install]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root" >&2; exit 1; }
say() { printf '\n=== %s\n' "$*"; }

if [ "$install" = yes ]; then
	say "installing dependencies"
	hack/install-deps.sh
fi

say "building nestrun"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build-static
(
	cd build-static
	[ -f Makefile ] || ../configure -q --enable-static
	# libnl's static archive draws glibc's "getaddrinfo in static binaries" notes
	make -s -j"$(nproc)" nestrun 2>&1 | grep -vE "statically linked applications requires|libnl-3.a.*in function" || true
)
[ -x build-static/nestrun ] || { echo "demo.sh: build failed" >&2; exit 1; }

say "installing /usr/local/sbin/nestrun"
install -D -m 0755 build-static/nestrun /usr/local/sbin/nestrun
install -D -m 0644 man/nestrun.8 /usr/local/share/man/man8/nestrun.8
NESTRUN=/usr/local/sbin/nestrun
"$NESTRUN" --version

say "registering nestrun with Docker"
"$NESTRUN" setup docker --path "$NESTRUN"
DOCKER=/usr/bin/docker
if ! "$DOCKER" version >/dev/null 2>&1; then
	echo "starting dockerd (log: /var/log/nestrun-demo-dockerd.log)"
	# no bridge or iptables: the demo never needs a network
	dockerd --iptables=false --bridge=none >/var/log/nestrun-demo-dockerd.log 2>&1 &
	for _ in $(seq 150); do "$DOCKER" version >/dev/null 2>&1 && break; sleep 0.2; done
	"$DOCKER" version >/dev/null
else
	echo "dockerd is running: reloading its configuration (SIGHUP) to pick up the runtime"
	pkill -HUP -x dockerd || true
	sleep 1
fi
# shellcheck disable=SC2016  # a Go template, not shell
"$DOCKER" info --format 'runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}'

say "building images from this machine's files and importing them into the shared store"
img=$(mktemp -d /tmp/nestrun-demo-img.XXXXXX)
trap 'rm -rf "$img"' EXIT
tests/nested/build-dind-image.sh "$img" --nestrun "$NESTRUN" --store /var/lib/nestrun --docker unix:///var/run/docker.sock
"$NESTRUN" image ls

say "depth 1: a Docker-in-Docker container under nestrun"
"$DOCKER" rm -f nestrun-demo-1 >/dev/null 2>&1 || true
"$DOCKER" run -d --name nestrun-demo-1 --runtime nestrun --privileged -e NESTRUN_NESTED=1 nestrun-dind:test >/dev/null
wait_docker() {
	for _ in $(seq 150); do "$@" docker version >/dev/null 2>&1 && return 0; sleep 0.2; done
	echo "demo.sh: the inner dockerd did not start" >&2
	return 1
}
wait_docker "$DOCKER" exec nestrun-demo-1
echo "images at depth 1, before any pull or load:"
"$DOCKER" exec nestrun-demo-1 docker images

say "depth 2: a DinD container inside it, from the pre-loaded image"
"$DOCKER" exec nestrun-demo-1 docker run -d --name nestrun-demo-2 --privileged -e NESTRUN_NESTED=1 \
	nestrun-dind:test /entrypoint.sh >/dev/null
wait_docker "$DOCKER" exec nestrun-demo-1 docker exec nestrun-demo-2
"$DOCKER" exec nestrun-demo-1 docker exec nestrun-demo-2 docker info --format 'depth 2 default runtime: {{.DefaultRuntime}}'

say "depth 3: busybox, pre-loaded, run by the engine at depth 2"
# shellcheck disable=SC2016  # expanded inside the container
"$DOCKER" exec nestrun-demo-1 docker exec nestrun-demo-2 docker run --rm busybox:latest \
	sh -c 'echo "hello from depth 3 ($(cat /proc/self/cgroup | head -1))"'

say "nestrun tree"
"$NESTRUN" --root /run/docker/runtime-runc/moby tree

if [ "$keep" = no ]; then
	say "removing the demo containers (--keep leaves them)"
	"$DOCKER" rm -f nestrun-demo-1 >/dev/null
fi
say "done"
