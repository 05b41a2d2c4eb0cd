#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# podman as the inner engine (issue 5): a podman-in-a-container image built from this
# machine's podman and conmon (tests/nested/build-dind-image.sh --podman), run by a
# private host dockerd whose runtime is the static nestrun.  The nest is recognized by
# the podman in its rootfs; podman gets a host-backed graphroot, the store's images as
# a read-only containers-storage view listed in a generated storage.conf, and the
# injected nestrun as its runtime in a generated containers.conf.  No registry, no
# network.
#
#   NESTRUN_STATIC=/path/to/static/nestrun bats tests/integration/nested_podman.bats
# shellcheck disable=SC2154

load helpers
load ../nested/helpers
# its own cgroup parent: nested.bats may run beside it
export NEST_CGROUP_PARENT=/nestrun-nested-podman-test

setup_file() {
	local why
	why=$(nest_missing)
	[ -n "$why" ] || command -v podman >/dev/null || why="needs podman"
	[ -n "$why" ] || command -v conmon >/dev/null || why="needs conmon"
	if [ -n "$why" ]; then
		export NEST_SKIP="$why"
		return 0
	fi
	nest_dockerd_start
	nest_podman_images
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
	local rc=0
	nest_teardown || rc=1
	engine_health_check || rc=1
	return $rc
}

# A podman nest at depth 1, recognized by the podman in its rootfs (no opt-in).
pm_start() {
	hdocker run -d --name "$1" --runtime nestrun --privileged nestrun-podman:test >/dev/null
}

# podman inside the nest $1
pmx() {
	local n=$1
	shift
	hdocker exec "$n" podman "$@"
}

@test "podman nest: the pre-loaded images are listed before any pull; nestrun is podman's runtime; the image's configs are merged" {
	pm_start p1
	run pmx p1 images --format '{{.Repository}}:{{.Tag}} {{.ReadOnly}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"docker.io/library/busybox:latest true"* ]]
	[[ "$output" == *"docker.io/library/nestrun-podman:test true"* ]]
	run pmx p1 info --format '{{.Host.OCIRuntime.Path}} {{.Store.GraphDriverName}} {{.Store.GraphRoot}}'
	[ "$output" = "/run/nestrun-nest/bin/nestrun overlay /var/lib/containers/storage" ]
	# generated over the image's own files, which are merged, not replaced
	run hdocker exec p1 cat /etc/containers/storage.conf
	[[ "$output" == *'mountopt = "nodev"'* ]]
	[[ "$output" == *'additionalimagestores = ["/run/nestrun-nest/containers-storage"]'* ]]
	run hdocker exec p1 cat /etc/containers/containers.conf
	[[ "$output" == *'events_logger = "file"'* && "$output" == *'runtime = "nestrun"'* ]]
	[[ "$output" == *'nestrun = ["/run/nestrun-nest/bin/nestrun"]'* ]]
	run hdocker exec p1 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e '.depth == 1 and .engine == "podman" and (.images | length) == 2'
	# the graphroot is host-backed, in the nest dir
	local id
	id=$(hdocker inspect -f '{{.Id}}' p1)
	[ -d "$NEST_STORE/nests/$id/podman/overlay" ]
}

@test "podman run of a pre-loaded image uses the store's layers and writes no image bytes; rmi cannot alter the store" {
	local before id kib0 kib1 lower
	before=$(store_sum)
	pm_start p1
	id=$(hdocker inspect -f '{{.Id}}' p1)
	pmx p1 images >/dev/null
	kib0=$(du -sk "$NEST_STORE/nests/$id/podman" | cut -f1)
	run pmx p1 run --rm --network none busybox echo hello-from-podman
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-podman ]
	run pmx p1 run -d --name s1 --network none busybox sleep 1000
	[ "$status" -eq 0 ]
	# its lower layer is the store's, reached through the view
	lower=$(pmx p1 inspect -f '{{.GraphDriver.Data.LowerDir}}' s1)
	[[ "$lower" == /run/nestrun-nest/containers-storage/overlay/*/diff ]]
	run hdocker exec p1 readlink -f "$lower"
	[[ "$output" == /run/nestrun-nest/store/layers/*/diff ]]
	kib1=$(du -sk "$NEST_STORE/nests/$id/podman" | cut -f1)
	echo "# podman's data-root: ${kib0} KiB before, ${kib1} KiB with a container running (busybox is 1.9 MiB)" >&3
	[ "$((kib1 - kib0))" -lt 512 ]
	# read-only: the view, the layers through it, the store
	run hdocker exec p1 touch /run/nestrun-nest/containers-storage/x
	[[ "$output" == *"Read-only file system"* ]]
	run hdocker exec p1 touch "$lower/x"
	[[ "$output" == *"Read-only file system"* ]]
	run pmx p1 rmi -f busybox
	[ "$status" -ne 0 ]
	[[ "$output" == *"read-only image"* ]]
	run pmx p1 images --format '{{.Repository}}'
	[[ "$output" == *busybox* ]]
	[ "$(store_sum)" = "$before" ]
}

@test "depth 2 and 3: podman in podman gets its own view of the same layers; the host sees the chain" {
	pm_start p1
	run pmx p1 run -d --name p2 --privileged --network none nestrun-podman:test /entrypoint.sh
	echo "$output"
	[ "$status" -eq 0 ]
	run pmx p1 exec p2 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e '.depth == 2 and .parent != "" and .engine == "podman"'
	run pmx p1 exec p2 podman images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" == *"docker.io/library/busybox:latest"* ]]
	run pmx p1 exec p2 podman run --rm --network none busybox echo hello-from-depth-3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-depth-3 ]
	run hnestrun tree --format json
	echo "$output"
	echo "$output" | jq -e '.[0].engine == "podman" and .[0].children[0].depth == 2 and .[0].children[0].engine == "podman"'
}
