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
# Then, when asked: --store DIR imports both into a nestrun store (nestrun-dind:test and
# busybox:latest), --docker HOST imports both into a dockerd (docker import);
# --payload FILE adds the static test payload to the DinD image as /usr/bin/nr-payload.
#
# usage: build-dind-image.sh OUT [--nestrun BIN --store DIR] [--docker unix:///…/sock]
#                            [--payload FILE]
set -euo pipefail

out=${1:?usage: build-dind-image.sh OUT [--nestrun BIN --store DIR] [--docker HOST] [--payload FILE]}
shift
nestrun='' store='' dhost='' payload=''
while [ $# -gt 0 ]; do
	case "$1" in
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

r=$tmp/dind
busybox_rootfs "$r"
copy_with_libs "$r" "$(find_bin dockerd)" /usr/bin/dockerd
copy_with_libs "$r" "$(find_bin containerd)" /usr/bin/containerd
copy_with_libs "$r" "$(find_bin containerd-shim-runc-v2)" /usr/bin/containerd-shim-runc-v2
copy_with_libs "$r" "$(find_bin runc)" /usr/bin/runc
copy_with_libs "$r" "$DOCKER_CLI" /usr/bin/docker
[ -z "$payload" ] || install -D -m 0755 "$payload" "$r/usr/bin/nr-payload"
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
tar -C "$r" --numeric-owner -cf "$out/dind.tar" .

if [ -n "$store" ]; then
	"${nestrun:?--store needs --nestrun}" image import --store "$store" --rootfs --name busybox:latest "$out/busybox.tar" >/dev/null
	"$nestrun" image import --store "$store" --rootfs --name nestrun-dind:test "$out/dind.tar" >/dev/null
fi
if [ -n "$dhost" ]; then
	"$DOCKER_CLI" -H "$dhost" import "$out/busybox.tar" busybox:latest >/dev/null
	"$DOCKER_CLI" -H "$dhost" import --change 'ENTRYPOINT ["/entrypoint.sh"]' "$out/dind.tar" nestrun-dind:test >/dev/null
fi
du -sh "$out/busybox.tar" "$out/dind.tar"
