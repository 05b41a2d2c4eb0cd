#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The image store: import, dedup, integrity, crash safety, concurrency, gc and
# leases, the Docker data-root seed run by an unmodified dockerd, and the
# containers-storage view used by an unmodified podman.  Hostile archives
# (traversal, link escapes, bombs, bad digests...) are hostile_layers.bats.
# shellcheck disable=SC2154

load helpers
load image_helpers

function setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	command -v dockerd >/dev/null || return 0
	export IMAGES="$BATS_FILE_TMPDIR/images" ENGINE="$BATS_FILE_TMPDIR/engine"
	mkdir -p "$IMAGES"
	dockerd_start "$ENGINE"
	build_test_images "$ENGINE" "$IMAGES"
	docker_save_to_oci "$IMAGES/multi.tar" "$IMAGES/multi-oci" "nrtest/multi-oci:1"
	tar -C "$IMAGES/multi-oci" -cf "$IMAGES/multi-oci.tar" .
	dk "$ENGINE" export "$(dk "$ENGINE" create nrtest/multi:1 /bin/sh)" >"$IMAGES/multi-export.tar"
}

function teardown_file() {
	[ -n "${ENGINE:-}" ] || return 0
	dockerd_stop "$ENGINE"
	umount_under "$ENGINE"
}

function setup() {
	requires_root
	[ -x "$NESTRUN_BIN" ] || skip "no nestrun binary (set NESTRUN_BIN)"
	export NESTRUN_STORE="$BATS_TEST_TMPDIR/store"
	export NESTRUN_DEBUG_ERROR_LOG="$BATS_TEST_TMPDIR/runtime-errors.log"
	engine_health_begin "$BATS_TEST_TMPDIR"
}

function teardown() {
	podman_view_stop "$BATS_TEST_TMPDIR/nr-img-pm-$$"
	umount_under "$BATS_TEST_TMPDIR/"
	[ -n "${SEEDED:-}" ] && dockerd_stop "$SEEDED" && umount_under "$SEEDED"
	engine_health_check
}

@test "import a root filesystem tarball, ls, inspect, run it from an overlay of the store" {
	make_rootfs_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	nr_image import "$BATS_TEST_TMPDIR/rootfs.tar" busybox:test
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported busybox:test"* ]]
	nr_image ls
	[[ "$output" == *"busybox:test"* ]]
	nr_image inspect busybox:test
	[ "$(echo "$output" | jfield layer_count)" = 1 ]
	mount_image busybox:test "$BATS_TEST_TMPDIR/m"
	run chroot "$BATS_TEST_TMPDIR/m" /bin/sh -c 'echo hello from the store'
	[ "$output" = "hello from the store" ]
	store_is_clean "$NESTRUN_STORE"
}

@test "docker-save multi-layer image: overlay of the store equals docker export, entry for entry" {
	requires_dockerd
	nr_image import "$IMAGES/multi.tar"
	[ "$status" -eq 0 ]
	mount_image nrtest/multi:1 "$BATS_TEST_TMPDIR/m"
	run compare_tree_with_tar "$BATS_TEST_TMPDIR/m" "$IMAGES/multi-export.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	# whiteouts and opaque dirs came through as overlay reads them
	[ ! -e "$BATS_TEST_TMPDIR/m/etc/gone" ]
	[ ! -e "$BATS_TEST_TMPDIR/m/etc/replaced/sub" ]
	[ "$(stat -c %a:%u:%g "$BATS_TEST_TMPDIR/m/etc/replaced/new")" = "4755:123:456" ]
}

@test "OCI layout (directory and tar, gzip layers) gives the same layers as docker-save" {
	requires_dockerd
	nr_image import --format json "$IMAGES/multi-oci"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jfield images.0.ref)" = "nrtest/multi-oci:1" ]
	nr_image import --format json "$IMAGES/multi.tar"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jfield layer_bytes)" = 0 ] # same diffIDs: nothing new
	nr_image import --format json "$IMAGES/multi-oci.tar" nrtest/from-oci-tar:1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jfield layers_new)" = 0 ]
}

# How fast a re-import is, is measured by bench/image-import.sh, not asserted here.
@test "re-import writes no layer bytes; an overlapping image writes only its own layers" {
	requires_dockerd
	nr_image import "$IMAGES/multi.tar"
	[ "$status" -eq 0 ]
	nr_image import --format json "$IMAGES/multi.tar"
	[ "$(echo "$output" | jfield layer_bytes)" = 0 ]
	[ "$(echo "$output" | jfield layers_new)" = 0 ]
	nr_image import --format json "$IMAGES/other.tar"
	[ "$(echo "$output" | jfield layers_new)" = 1 ] # the base layer is shared
	nr_image du --format json
	[ "$(echo "$output" | jfield shared_bytes)" -gt 0 ]
}

@test "--from-docker streams docker save through a pipe" {
	requires_dockerd
	DOCKER_HOST="unix://$ENGINE/docker.sock" NESTRUN_DOCKER=$DOCKER_CLI \
		nr_image import --format json --from-docker nrtest/multi:1 nrtest/other:1
	[ "$status" -eq 0 ]
	nr_image ls -q
	[[ "$output" == *"nrtest/multi:1"* && "$output" == *"nrtest/other:1"* ]]
	expect_error
	DOCKER_HOST="unix://$ENGINE/docker.sock" NESTRUN_DOCKER=$DOCKER_CLI \
		nr_image import --from-docker nrtest/no-such:1
	[ "$status" -ne 0 ]
	[[ "$output" == *"docker save nrtest/no-such:1"* ]]
	store_is_clean "$NESTRUN_STORE"
}

@test "kill -9 during import leaves no partial layer or ref; the next operation clears the debris" {
	requires_dockerd
	local i
	for i in 1 2 3 4 5; do
		"$NESTRUN_BIN" image import "$IMAGES/both.tar" >/dev/null 2>&1 &
		local pid=$!
		sleep "0.0$((i * 2))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		for d in "$NESTRUN_STORE"/layers/*/; do
			[ -d "$d" ] || continue
			[ -f "$d/layer.json" ] || img_fail "partial layer $d"
		done
		if [ -f "$NESTRUN_STORE/refs.json" ]; then
			python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$NESTRUN_STORE/refs.json"
		fi
		# killed before it made the store (a slow start, e.g. the sanitizer build):
		# nothing to check but that nothing was left
		if [ -d "$NESTRUN_STORE" ]; then
			nr_image ls
			[ "$status" -eq 0 ]
		fi
		rm -rf "$NESTRUN_STORE"
	done
	"$NESTRUN_BIN" image import "$IMAGES/both.tar" >/dev/null 2>&1 &
	pid=$!
	sleep 0.05
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	nr_image import "$IMAGES/multi.tar" # takes the lock first: clears tmp/
	[ "$status" -eq 0 ]
	store_is_clean "$NESTRUN_STORE"
}

@test "concurrent imports of images sharing a layer both succeed and store it once" {
	requires_dockerd
	"$NESTRUN_BIN" image import "$IMAGES/multi.tar" >"$BATS_TEST_TMPDIR/a.log" 2>&1 &
	local a=$!
	"$NESTRUN_BIN" image import "$IMAGES/other.tar" >"$BATS_TEST_TMPDIR/b.log" 2>&1 &
	local b=$!
	wait "$a" || img_fail "first import failed: $(cat "$BATS_TEST_TMPDIR/a.log")"
	wait "$b" || img_fail "second import failed: $(cat "$BATS_TEST_TMPDIR/b.log")"
	nr_image ls -q
	[ "${#lines[@]}" -eq 2 ]
	# 4 layers for multi + 1 of its own for other; the base once
	[ "$(find "$NESTRUN_STORE/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 5 ]
	mount_image nrtest/other:1 "$BATS_TEST_TMPDIR/m"
	[ "$(cat "$BATS_TEST_TMPDIR/m/other")" = other ]
	store_is_clean "$NESTRUN_STORE"
}

@test "rm drops a ref; gc keeps what refs and leases reach and frees the rest" {
	requires_dockerd
	nr_image import "$IMAGES/multi.tar"
	nr_image import "$IMAGES/other.tar"
	nr_image tag nrtest/other:1 keep/other:2
	[ "$status" -eq 0 ]
	nr_image lease add ctr-1 nrtest/multi:1
	[ "$status" -eq 0 ]
	nr_image rm nrtest/multi:1 nrtest/other:1
	[ "$status" -eq 0 ]
	nr_image gc --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jfield layers_removed)" = 0 ] # leased and still tagged
	nr_image lease rm ctr-1
	nr_image gc --format json
	[ "$(echo "$output" | jfield layers_removed)" = 3 ] # multi's own layers; the base stays
	mount_image keep/other:2 "$BATS_TEST_TMPDIR/m"
	[ "$(cat "$BATS_TEST_TMPDIR/m/other")" = other ]
	expect_error
	nr_image rm nrtest/multi:1
	[ "$status" -ne 0 ]
	[[ "$output" == *'no image "nrtest/multi:1"'* ]]
}

@test "a dockerd on a seeded data-root lists and runs the image, with the layers bound read-only" {
	requires_dockerd
	nr_image import "$IMAGES/multi.tar"
	nr_image import "$IMAGES/other.tar"
	local before
	before=$(cd "$NESTRUN_STORE" && find layers blobs -printf '%p %s %m\n' | sort | sha256sum)
	SEEDED="$BATS_TEST_TMPDIR/seeded"
	nr_image seed-docker "$SEEDED/data" nrtest/multi:1
	[ "$status" -eq 0 ]
	local src dst mode
	while read -r src dst mode; do
		mount --bind -o "$mode" "$src" "$dst"
	done <<<"$output"
	# nothing was copied: the data-root holds metadata only
	[ "$(du -s --exclude=diff "$SEEDED/data" | cut -f1)" -lt 200 ]
	dockerd_start "$SEEDED" "$SEEDED/data"
	run dk "$SEEDED" images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "nrtest/multi:1" ]
	run dk "$SEEDED" run --rm --network none nrtest/multi:1 /bin/busybox sh -c 'cat /etc/replaced/new; ls /etc/gone 2>&1; true'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == new && "${lines[1]}" == *"No such file"* ]]
	run dk "$SEEDED" run --rm --network none nrtest/multi:1 /bin/busybox sh -c 'echo x > /etc/passwd && cat /etc/passwd'
	[ "$output" = x ] # copy-up into the container's own layer
	run dk "$SEEDED" rmi nrtest/multi:1
	dockerd_stop "$SEEDED"
	umount_under "$SEEDED"
	[ "$(cd "$NESTRUN_STORE" && find layers blobs -printf '%p %s %m\n' | sort | sha256sum)" = "$before" ]
}

@test "podman lists and runs images of a containers-storage view, with nothing copied and the store untouched" {
	requires_dockerd
	requires_podman
	nr_image import "$IMAGES/multi.tar"
	make_rootfs_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	nr_image import "$BATS_TEST_TMPDIR/rootfs.tar" busybox:test
	local before view="$BATS_TEST_TMPDIR/view" d="$BATS_TEST_TMPDIR/nr-img-pm-$$"
	before=$(store_checksum "$NESTRUN_STORE")
	nr_image seed-containers "$view"
	[ "$status" -eq 0 ]
	[[ "$output" == "2 images: additionalimagestores = [\"$view\"]" ]]
	# metadata only
	[ "$(du -sk "$view" | cut -f1)" -lt 200 ]
	# read-only for podman: it must not need to write anything there
	mount --bind "$view" "$view"
	mount -o remount,bind,ro "$view"
	podman_view "$d" "$view"
	run pm "$d" images --format '{{.Repository}}:{{.Tag}} {{.ReadOnly}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"docker.io/nrtest/multi:1 true"* ]]
	[[ "$output" == *"docker.io/library/busybox:test true"* ]]
	local root0
	root0=$(du -sk "$d/root" | cut -f1)
	# short names resolve; whiteouts and opaque directories of the store's layers hold
	run pm "$d" run --rm --network none --cgroup-parent "/$(basename "$d")" nrtest/multi:1 \
		sh -c 'cat /etc/replaced/new; ls /etc/gone 2>&1; ls /etc/replaced; echo x > /etc/passwd; cat /etc/passwd'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'new\nls: /etc/gone: No such file or directory\nnew\nx'* ]]
	run pm "$d" run --rm --network none --cgroup-parent "/$(basename "$d")" busybox:test sh -c "cat /etc/passwd"
	[[ "$output" == *"root:x:0:0:root:/root:/bin/sh"* ]]
	# a running container's lower layers are the store's own directories
	pm "$d" run -d --name nr-img-pm --network none --cgroup-parent "/$(basename "$d")" nrtest/multi:1 sh -c "exec busybox sleep 1000"
	local lower l n=0
	lower=$(pm "$d" inspect -f '{{.GraphDriver.Data.LowerDir}}' nr-img-pm)
	for l in ${lower//:/ }; do
		[[ "$(readlink -f "$l")" == "$NESTRUN_STORE"/layers/*/diff ]] || img_fail "lower $l is not a store layer"
		n=$((n + 1))
	done
	[ "$n" -eq 4 ]
	pm "$d" rm -f -t 0 nr-img-pm
	# nothing of the images was copied into podman's own store (busybox alone is 1.9 MB)
	echo "# podman root: ${root0} KiB before the runs, $(du -sk "$d/root" | cut -f1) KiB after" >&3
	[ "$(du -sk "$d/root" | cut -f1)" -lt $((root0 + 256)) ]
	[ -z "$(find "$d/root" -type f -size +100k ! -name bolt_state.db)" ]
	# rmi cannot touch the store
	run pm "$d" rmi -f nrtest/multi:1
	[ "$status" -ne 0 ]
	[[ "$output" == *"read-only image"* ]]
	# the view's layer ids are podman's own: loading the same image stores no layer again
	run pm "$d" load -i "$IMAGES/multi.tar"
	[ "$status" -eq 0 ]
	run pm "$d" images --format '{{.Repository}}:{{.Tag}} {{.ReadOnly}}'
	[[ "$output" == *"localhost/nrtest/multi:1 false"* ]]
	[ ! -s "$d/root/overlay-layers/layers.json" ] || [ "$(cat "$d/root/overlay-layers/layers.json")" = "[]" ]
	[ -z "$(find "$d/root" -type f -size +100k ! -name bolt_state.db)" ]
	podman_view_stop "$d"
	umount_under "$BATS_TEST_TMPDIR/"
	[ "$(store_checksum "$NESTRUN_STORE")" = "$before" ]
}

@test "podman build FROM and commit on view images write only their own layers; tag is podman's own record" {
	requires_podman
	make_rootfs_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	nr_image import "$BATS_TEST_TMPDIR/rootfs.tar" busybox:test
	local before view="$BATS_TEST_TMPDIR/view" d="$BATS_TEST_TMPDIR/nr-img-pm-$$"
	before=$(store_checksum "$NESTRUN_STORE")
	nr_image seed-containers "$view" busybox:test
	podman_view "$d" "$view"
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM busybox:test\nRUN ["/bin/sh", "-c", "echo built > /built"]\n' >"$BATS_TEST_TMPDIR/ctx/Containerfile"
	run pm "$d" build --network none --cgroup-parent "/$(basename "$d")" -t built:1 "$BATS_TEST_TMPDIR/ctx"
	echo "$output"
	[ "$status" -eq 0 ]
	run pm "$d" run --rm --network none --cgroup-parent "/$(basename "$d")" built:1 sh -c "cat /built"
	[[ "$output" == *built* ]]
	run pm "$d" tag busybox:test mine:2
	[ "$status" -eq 0 ]
	run pm "$d" images --format '{{.Repository}}:{{.Tag}} {{.ReadOnly}}'
	[[ "$output" == *"localhost/mine:2 false"* && "$output" == *"localhost/built:1 false"* ]]
	# save would need the original tar stream, which the store does not keep
	run pm "$d" save -o "$BATS_TEST_TMPDIR/s.tar" busybox:test
	[ "$status" -ne 0 ]
	run pm "$d" rmi -f built:1 mine:2
	[ "$status" -eq 0 ]
	run pm "$d" images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "docker.io/library/busybox:test" ]
	podman_view_stop "$d"
	umount_under "$BATS_TEST_TMPDIR/"
	[ "$(store_checksum "$NESTRUN_STORE")" = "$before" ]
}
