#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# Nested containers end to end (issue 5): Docker-in-Docker chains under a private
# host dockerd whose runtime is the static nestrun, images shared read-only from a
# private store, no registry and no network.  The images come from this machine's own
# binaries (tests/nested/build-dind-image.sh).
#
#   NESTRUN_STATIC=/path/to/static/nestrun bats tests/integration/nested.bats
# shellcheck disable=SC2154

load helpers
load ../nested/helpers

setup_file() {
	local why
	why=$(nest_missing)
	if [ -n "$why" ]; then
		export NEST_SKIP="$why"
		return 0
	fi
	nest_dockerd_start
	nest_images
	export NEST_WORK NEST_STORE DOCKER_HOST_SOCK
}

teardown_file() {
	nest_dockerd_stop
}

setup() {
	[ -z "${NEST_SKIP:-}" ] || skip "$NEST_SKIP"
	engine_health_begin "$NEST_WORK" "$NEST_CGROUP_PARENT"
}

teardown() {
	local ids
	ids=$(hdocker ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086  # one id per word
	[ -z "$ids" ] || hdocker rm -f $ids >/dev/null 2>&1 || true
	# health: nothing of a nest survives its container
	run ls "$NEST_STORE/nests"
	[ -z "$output" ] || fail "leaked nest dirs: $output"
	run ls "$NEST_STORE/leases"
	[ -z "$output" ] || fail "leaked leases: $output"
	! grep -q "$NEST_STORE/nests/" /proc/self/mountinfo || fail "leaked mounts"
	engine_health_check
}

full_id() { hdocker inspect -f '{{.Id}}' "$1"; }

@test "depth 1: the pre-loaded images are listed before any pull, nestrun is the default runtime" {
	nest_start d1
	run hdocker exec d1 docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$status" -eq 0 ]
	[[ "$output" == *"busybox:latest"* ]]
	[[ "$output" == *"nestrun-dind:test"* ]]
	run hdocker exec d1 docker info --format '{{.DefaultRuntime}}'
	[ "$output" = nestrun ]
	# the image's own daemon.json is merged, not replaced; the image is not modified
	run hdocker exec d1 cat /etc/docker/daemon.json
	echo "$output" | jq -e '."max-concurrent-downloads" == 2 and .runtimes.nestrun.path == "/run/nestrun-nest/bin/nestrun"'
	run hdocker exec d1 sh -c 'cat /run/nestrun-nest/nest.json'
	echo "$output" | jq -e '.depth == 1 and .parent == "" and (.images | length) == 2'
}

@test "depth 2: docker run of a pre-loaded image, with no pull and no image bytes written" {
	nest_start d1
	run hdocker exec d1 docker run --rm busybox echo hello-from-depth-2
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello-from-depth-2"* ]]
	local id kib
	id=$(full_id d1)
	kib=$(du -sk "$NEST_STORE/nests/$id" | cut -f1)
	echo "# nest dir after a depth-2 run: ${kib} KiB" >&3
	# metadata only: the 199 MB and 2 MB images are not copied
	[ "$kib" -lt 4096 ]
}

@test "depth 3: a nest inside a nest runs a pre-loaded image; capabilities carry down" {
	nest_start d1
	hdocker exec d1 docker run -d --name d2 --privileged -e NESTRUN_NESTED=1 nestrun-dind:test /entrypoint.sh
	nest_wait hdocker exec d1 docker exec d2
	run hdocker exec d1 docker exec d2 docker images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" == *"busybox:latest"* ]]
	run hdocker exec d1 docker exec d2 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e '.depth == 2 and .parent != ""'
	run hdocker exec d1 docker exec d2 docker run --rm busybox echo hello-from-depth-3
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello-from-depth-3"* ]]
	local c1 c2
	c1=$(hdocker exec d1 grep CapEff /proc/self/status)
	c2=$(hdocker exec d1 docker exec d2 grep CapEff /proc/self/status)
	[ "$c1" = "$c2" ]
	# the host sees the whole chain
	run hnestrun tree --format json
	echo "$output" | jq -e '.[0].depth == 1 and .[0].children[0].depth == 2 and .[0].children[0].engine == "docker"'
	run hnestrun tree
	[[ "${lines[1]}" == *docker* ]]
}

@test "shared layers are read-only at every depth and docker rmi inside leaves the store byte-identical" {
	local before after layer
	before=$(store_sum)
	nest_start d1
	run hdocker exec d1 touch /run/nestrun-nest/store/x
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	layer=$(ls "$NEST_STORE/layers" | head -1)
	run hdocker exec d1 touch "/var/lib/docker/overlay2/$layer/diff/x"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	# the store's nests/ (other containers' data-roots) is masked
	run hdocker exec d1 ls /run/nestrun-nest/store/nests
	[ -z "$output" ]
	run hdocker exec d1 docker rmi -f busybox
	run hdocker exec d1 docker images --format '{{.Repository}}'
	[[ "$output" != *busybox* ]]
	after=$(store_sum)
	[ "$before" = "$after" ]
	run hnestrun image ls
	[[ "$output" == *"busybox:latest"* ]]
}

@test "gc on the host cannot remove an image leased by a running nest" {
	nest_start d1
	local id layers
	id=$(full_id d1)
	[ -f "$NEST_STORE/leases/$id.json" ]
	layers=$(ls "$NEST_STORE/layers")
	hnestrun image rm busybox:latest
	hnestrun image gc
	[ "$(ls "$NEST_STORE/layers")" = "$layers" ]
	run hdocker exec d1 docker run --rm busybox true
	[ "$status" -eq 0 ]
	hdocker rm -f d1
	hnestrun image gc
	[ "$(ls "$NEST_STORE/layers")" != "$layers" ]
	"$NESTRUN_STATIC" image import --store "$NEST_STORE" --rootfs --name busybox:latest "$NEST_WORK/img/busybox.tar"
}

@test "delete removes the nest's data-root, lease, generated files and mounts" {
	nest_start d1
	local id
	id=$(full_id d1)
	[ -d "$NEST_STORE/nests/$id/docker/overlay2" ]
	[ -f "$NEST_STORE/nests/$id/daemon.json" ]
	[ -f "$NEST_STORE/leases/$id.json" ]
	hdocker rm -f d1
	[ ! -e "$NEST_STORE/nests/$id" ]
	[ ! -e "$NEST_STORE/leases/$id.json" ]
	run grep -q "$id" /proc/self/mountinfo
	[ "$status" -ne 0 ]
}

@test "preload: a subset with NESTRUN_PRELOAD, an unknown name is an error at create" {
	nest_start d1 -e NESTRUN_PRELOAD=busybox
	run hdocker exec d1 docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "busybox:latest" ]
	expect_error # create refuses the unknown image
	run hdocker run -d --runtime nestrun --privileged -e NESTRUN_NESTED=1 -e NESTRUN_PRELOAD=nosuch:1 nestrun-dind:test
	[ "$status" -ne 0 ]
	[[ "$output" == *'preload: image \"nosuch:1\" is not in the store'* ]] || [[ "$output" == *'preload: image "nosuch:1" is not in the store'* ]]
}

# The bundle of a container run by nestrun directly, from the test images.
plain_bundle() {
	local b=$NEST_WORK/bundle-$1
	rm -rf "$b"
	mkdir -p "$b/rootfs"
	tar -C "$b/rootfs" -xf "$NEST_WORK/img/$2.tar"
	(cd "$b" && "$NESTRUN_STATIC" spec)
	jq '.process.terminal = false | .process.args = ["true"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	echo "$b"
}

@test "a non-nested container is untouched: its config is byte-identical, nothing is prepared" {
	local b root=$NEST_WORK/plain-root
	b=$(plain_bundle plain busybox)
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" create --bundle "$b" plain </dev/null >/dev/null 2>&1
	cmp "$b/config.json" "$root/plain/config.json"
	[ ! -e "$NEST_STORE/nests/plain" ]
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" delete -f plain
	# an engine in the rootfs but NESTRUN_NESTED=0: opted out, untouched too
	b=$(plain_bundle optout dind)
	jq '.process.env += ["NESTRUN_NESTED=0"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" create --bundle "$b" optout </dev/null >/dev/null 2>&1
	cmp "$b/config.json" "$root/optout/config.json"
	[ ! -e "$NEST_STORE/nests/optout" ]
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" delete -f optout
	# the same rootfs without the opt-out is recognized (dockerd in the rootfs)
	b=$(plain_bundle auto dind)
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" create --bundle "$b" auto </dev/null >/dev/null 2>&1
	[ -d "$NEST_STORE/nests/auto/docker" ]
	jq -e '.annotations["run.nestrun.depth"] == "1"' "$root/auto/config.json"
	"$NESTRUN_STATIC" --root "$root" --store "$NEST_STORE" delete -f auto
	[ ! -e "$NEST_STORE/nests/auto" ]
}
