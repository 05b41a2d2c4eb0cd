#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Build the test images for the nesting suites from what is on this machine, with no
# registry and no network:
#   OUT/busybox.tar  a rootfs tarball: busybox-static and its applet links
#   OUT/dind.tar     a rootfs tarball: the same plus the host's dockerd, containerd,
#                    containerd-shim-runc-v2, docker and runc with their shared
#                    libraries (ldd), and /entrypoint.sh starting dockerd without
#                    iptables or a bridge (the nests have no network)
#   OUT/podman.tar   with --podman instead of dind.tar: busybox plus the host's podman and
#                    conmon with their libraries, policy.json, the vendor containers.conf
#                    and seccomp.json, the image's own storage.conf and containers.conf
#                    (nestrun must merge them), and /entrypoint.sh that waits
# Then, when asked: --store DIR imports them into a nestrun store (busybox:latest,
# nestrun-dind:test or nestrun-podman:test), --docker HOST into a dockerd (docker import);
# --payload FILE adds the static test payload to the image as /usr/bin/nr-payload.
#
# usage: build-dind-image.sh OUT [--podman] [--nestrun BIN --store DIR] [--docker unix:///…/sock]
#                            [--payload FILE]
set -euo pipefail

out=${1:?usage: build-dind-image.sh OUT [--nestrun BIN --store DIR] [--docker HOST] [--payload FILE]}
shift
nestrun='' store='' dhost='' payload='' kind=dind
while [ $# -gt 0 ]; do
	case "$1" in
	--podman) kind=podman; shift ;;
	--nestrun) nestrun=$2; shift 2 ;;
	--store) store=$2; shift 2 ;;
	--docker) dhost=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done

BUSYBOX=${BUSYBOX:-/bin/busybox}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
find_bin() { command -v "$1" || { echo "missing $1 on this host" >&2; exit 1; }; }

mkdir -p "$out"
tmp=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A busybox rootfs in $1.
busybox_rootfs() {
	local r=$1 a
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/run,run}
	chmod 1777 "$r/tmp"
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\ndocker:x:998:\n' >"$r/etc/group"
}

# A binary and the libraries it needs, at the same paths.
copy_with_libs() {
	local r=$1 bin=$2 dest=$3 lib
	install -D -m 0755 "$bin" "$r$dest"
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=>/ {print $3} /^\t\// {print $1}'); do
		[ -e "$r$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$r$lib"
	done
}

busybox_rootfs "$tmp/busybox"
tar -C "$tmp/busybox" --numeric-owner -cf "$out/busybox.tar" .

dind_rootfs() {
	local r=$1
	busybox_rootfs "$r"
	copy_with_libs "$r" "$(find_bin dockerd)" /usr/bin/dockerd
	copy_with_libs "$r" "$(find_bin containerd)" /usr/bin/containerd
	copy_with_libs "$r" "$(find_bin containerd-shim-runc-v2)" /usr/bin/containerd-shim-runc-v2
	copy_with_libs "$r" "$(find_bin runc)" /usr/bin/runc
	copy_with_libs "$r" "$DOCKER_CLI" /usr/bin/docker
	mkdir -p "$r/var/lib/docker" "$r/etc/docker"
	cat >"$r/entrypoint.sh" <<'SH'
#!/bin/sh
# dockerd with no network plumbing: the nests run offline
mkdir -p /var/run /tmp
[ $# -gt 0 ] && exec "$@"
exec dockerd --iptables=false --ip6tables=false --bridge=none --ip-forward=false \
	--ip-masq=false --host unix:///var/run/docker.sock --log-level "${DOCKERD_LOG_LEVEL:-warn}"
SH
	chmod 0755 "$r/entrypoint.sh"
	# the image's own engine config: nestrun must merge it, not replace it
	printf '{"max-concurrent-downloads":2,"features":{"buildkit":false}}\n' >"$r/etc/docker/daemon.json"
}

podman_rootfs() {
	local r=$1 f
	busybox_rootfs "$r"
	copy_with_libs "$r" "$(find_bin podman)" /usr/bin/podman
	copy_with_libs "$r" "$(find_bin conmon)" /usr/bin/conmon
	mkdir -p "$r/etc/containers" "$r/usr/share/containers" "$r/var/lib/containers/storage" "$r/var/tmp"
	chmod 1777 "$r/var/tmp"
	for f in containers.conf seccomp.json; do
		[ -f "/usr/share/containers/$f" ] && cp "/usr/share/containers/$f" "$r/usr/share/containers/$f"
	done
	printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$r/etc/containers/policy.json"
	# the image's own configs: nestrun must merge them, not replace them
	cat >"$r/etc/containers/storage.conf" <<'CONF'
# the image's storage.conf
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"

[storage.options.overlay]
mountopt = "nodev"
CONF
	cat >"$r/etc/containers/containers.conf" <<'CONF'
# the image's containers.conf: no systemd, no journald in here
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
	cat >"$r/entrypoint.sh" <<'SH'
#!/bin/sh
mkdir -p /run /tmp
[ $# -gt 0 ] && exec "$@"
exec tail -f /dev/null
SH
	chmod 0755 "$r/entrypoint.sh"
}

r=$tmp/$kind
"${kind}_rootfs" "$r"
[ -z "$payload" ] || install -D -m 0755 "$payload" "$r/usr/bin/nr-payload"
tar -C "$r" --numeric-owner -cf "$out/$kind.tar" .

if [ -n "$store" ]; then
	"${nestrun:?--store needs --nestrun}" image import --store "$store" --rootfs --name busybox:latest "$out/busybox.tar" >/dev/null
	"$nestrun" image import --store "$store" --rootfs --name "nestrun-$kind:test" "$out/$kind.tar" >/dev/null
fi
if [ -n "$dhost" ]; then
	"$DOCKER_CLI" -H "$dhost" import "$out/busybox.tar" busybox:latest >/dev/null
	"$DOCKER_CLI" -H "$dhost" import --change 'ENTRYPOINT ["/entrypoint.sh"]' "$out/$kind.tar" "nestrun-$kind:test" >/dev/null
fi
du -sh "$out/busybox.tar" "$out/$kind.tar"
