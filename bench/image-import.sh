#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Import throughput: `nestrun image import` vs `docker load` of the same docker-save
# archive, in one run, on fresh stores; then re-import of the present image (target:
# 0 layer bytes, < 50 ms).  Needs root and dockerd; no registry, no network.
#   NESTRUN_BIN  nestrun (default: ./build/nestrun)
#   SIZE_MB      payload size of the test image (default 200), in LAYERS layers (default 4)
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=/dev/null
source "$HERE/../tests/integration/image_helpers.bash"
NESTRUN_BIN=${NESTRUN_BIN:-$HERE/../build/nestrun}
SIZE_MB=${SIZE_MB:-200}
LAYERS=${LAYERS:-4}
W=$(mktemp -d /tmp/nr-bench-image.XXXXXX)
trap 'dockerd_stop "$W/e1"; dockerd_stop "$W/e2"; umount_under "$W"; rm -rf "$W"' EXIT

ms() { echo $((($2 - $1) / 1000000)); }

dockerd_start "$W/e1"
make_rootfs_tar "$W/rootfs.tar"
dk "$W/e1" import "$W/rootfs.tar" bench/base:1 >/dev/null
mkdir -p "$W/ctx"
{
	echo "FROM bench/base:1"
	for i in $(seq "$LAYERS"); do
		echo "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"mkdir -p /data$i && cd /data$i && for j in \$(/bin/busybox seq $((SIZE_MB / LAYERS / 4))); do /bin/busybox head -c 4194304 /dev/urandom > f\$j; done\"]"
	done
} >"$W/ctx/Dockerfile"
dk "$W/e1" build -q -t bench/image:1 "$W/ctx" >/dev/null
dk "$W/e1" save bench/image:1 -o "$W/image.tar"
dockerd_stop "$W/e1"
size=$(stat -c %s "$W/image.tar")
sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true

dockerd_start "$W/e2"
t0=$(date +%s%N)
dk "$W/e2" load -i "$W/image.tar" >/dev/null
t1=$(date +%s%N)
docker_ms=$(ms "$t0" "$t1")
dockerd_stop "$W/e2"

echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
t0=$(date +%s%N)
NESTRUN_STORE="$W/store" "$NESTRUN_BIN" image import -q "$W/image.tar"
t1=$(date +%s%N)
nr_ms=$(ms "$t0" "$t1")

t0=$(date +%s%N)
again=$(NESTRUN_STORE="$W/store" "$NESTRUN_BIN" image import --format json "$W/image.tar")
t1=$(date +%s%N)
re_ms=$(ms "$t0" "$t1")
re_bytes=$(echo "$again" | jfield layer_bytes)

mbps() { python3 -c "import sys; print('%.0f' % ($size / 1e6 / max($1, 1) * 1000))"; }
printf '%-34s %10s %10s\n' "archive: $((size / 1000000)) MB, $((LAYERS + 1)) layers" "time (ms)" "MB/s"
printf '%-34s %10s %10s\n' "docker load" "$docker_ms" "$(mbps "$docker_ms")"
printf '%-34s %10s %10s\n' "nestrun image import" "$nr_ms" "$(mbps "$nr_ms")"
printf '%-34s %10s %10s\n' "nestrun re-import (present)" "$re_ms" "$re_bytes B"
python3 -c "import sys; r=$docker_ms/max($nr_ms,1); print('speed vs docker load: %.2fx (target >= 1x)' % r)"
