#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# `docker run --rm` and `docker exec` latency through nestrun vs runc, in one run:
# a private dockerd (its own data/exec dirs and socket, no bridge) with both runtimes,
# a busybox image imported from the local busybox-static, the two runtimes
# interleaved N times per operation; prints a markdown table of median and min
# wall-clock milliseconds and the nestrun/runc ratios (target: <= 0.9).
#
#   bench/docker-latency.sh [-n N] [--nestrun PATH] [--runc PATH]
#
# Needs root and Debian's docker.io (/usr/sbin/dockerd, /usr/bin/docker).
set -euo pipefail

N=30
NESTRUN=${NESTRUN:-}
RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER=${DOCKER:-/usr/bin/docker} # not a newer client that may shadow it in /usr/local/bin
BUSYBOX=${BUSYBOX:-/bin/busybox}

while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--nestrun) NESTRUN=$2; shift 2 ;;
	--runc) RUNC=$2; shift 2 ;;
	-h | --help) sed -n '3,12p' "$0"; exit 0 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$NESTRUN" ]; then
	for c in ./nestrun ./build/nestrun "$(command -v nestrun || true)"; do
		[ -n "$c" ] && [ -x "$c" ] && NESTRUN=$c && break
	done
fi
[ -x "${NESTRUN:-}" ] || { echo "nestrun not found: pass --nestrun PATH" >&2; exit 1; }
NESTRUN=$(readlink -f "$NESTRUN")
RUNC=$(readlink -f "$RUNC")
[ "$(id -u)" -eq 0 ] || { echo "must run as root (a private dockerd)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/nr-bench.XXXXXX)
CG="nr-bench-$$"
export DOCKER_HOST="unix://$DIR/docker.sock"

cleanup() {
	"$DOCKER" rm -f nr-bench-nestrun nr-bench-runc >/dev/null 2>&1 || true
	local pid
	pid=$(cat "$DIR/docker.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	awk -v r="$DIR/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$DIR"
	for d in /sys/fs/cgroup/*/"$CG"; do
		if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
	done
}
trap cleanup EXIT

jq -n --arg n "$NESTRUN" --arg r "$RUNC" --arg cg "/$CG" \
	'{runtimes: {nestrun: {path: $n}, "runc-bench": {path: $r}}, bridge: "none", iptables: false,
	  ip6tables: false, "storage-driver": "vfs", "cgroup-parent": $cg}' >"$DIR/daemon.json"
(setsid "$DOCKERD" --data-root "$DIR/data" --exec-root "$DIR/exec" -H "$DOCKER_HOST" \
	--pidfile "$DIR/docker.pid" --config-file "$DIR/daemon.json" </dev/null >"$DIR/dockerd.log" 2>&1 &)
for _ in $(seq 150); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.2; done
"$DOCKER" info >/dev/null

mkdir -p "$DIR/rootfs/bin"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$DIR/rootfs/bin/$a"; done
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
"$DOCKER" import -c 'ENV PATH=/bin' "$DIR/rootfs.tar" nr-bench:latest >/dev/null

# runtime names as docker knows them: runc through its own registration of the same
# binary docker would use, so both go through identical daemon code paths
RUNTIMES=(nestrun runc-bench)
for rt in "${RUNTIMES[@]}"; do
	"$DOCKER" run -d --name "nr-bench-${rt%-bench}" --runtime "$rt" nr-bench sleep 100000 >/dev/null
	"$DOCKER" run --rm --runtime "$rt" nr-bench true # warm up
	"$DOCKER" exec "nr-bench-${rt%-bench}" true
done

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
declare -A samples
for ((i = 0; i < N; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		t=$(date +%s%N)
		"$DOCKER" run --rm --runtime "$rt" nr-bench true
		samples[run,$rt]+="$(ms "$t") "
		t=$(date +%s%N)
		"$DOCKER" exec "nr-bench-${rt%-bench}" true
		samples[exec,$rt]+="$(ms "$t") "
	done
done

stat() { # median min of the numbers in $1
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%s %s\n", m, a[1]}'
}

echo "docker $("$DOCKER" version -f '{{.Server.Version}}'), N=$N interleaved, wall-clock ms"
echo
echo "| operation | nestrun median | nestrun min | runc median | runc min | ratio median | ratio min |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for op in run exec; do
	read -r nm nmin <<<"$(stat "${samples[$op,nestrun]}")"
	read -r rm rmin <<<"$(stat "${samples[$op,runc-bench]}")"
	label=$([ "$op" = run ] && echo 'docker run --rm' || echo 'docker exec')
	# shellcheck disable=SC2016  # the backquotes are markdown
	printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$label" "$nm" "$nmin" "$rm" "$rmin" \
		"$(awk -v a="$nm" -v b="$rm" 'BEGIN {printf "%.2f", a / b}')" \
		"$(awk -v a="$nmin" -v b="$rmin" 'BEGIN {printf "%.2f", a / b}')"
done
