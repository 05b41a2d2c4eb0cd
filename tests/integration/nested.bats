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
	local rc=0
	nest_teardown || rc=1
	lab_cleanup
	engine_health_check || rc=1
	return $rc
}

full_id() { hdocker inspect -f '{{.Id}}' "$1"; }

# chain_nest_dirs TREE-JSON: the nest dir (on the host) of each level of the chain, depth first.
chain_nest_dirs() {
	local dir=$NEST_STORE/nests id
	for id in $(jq -r '.. | objects | select(.nested == true) | .id' <<<"$1"); do
		dir=$dir/$id
		echo "$dir"
		dir=$dir/nests
	done
}

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

@test "depth 4: a chain of four DinD nests, offline, runs a pre-loaded image at the bottom; depth 5 is refused" {
	nest_chain 4
	local d
	for d in 1 2 3 4; do
		# nestrun is the default runtime and the store's images are there before any
		# pull; no network at all (a loopback and nothing else), so nothing could be pulled
		run nest_exec "$d" sh -c 'docker info --format "{{.DefaultRuntime}}"; ls /sys/class/net
			docker images --format "{{.Repository}}:{{.Tag}}" | sort | tr "\n" " "; echo
			cat /run/nestrun-nest/nest.json'
		[ "${lines[0]}" = nestrun ]
		[ "${lines[1]}" = lo ]
		[ "${lines[2]}" = "busybox:latest nestrun-dind:test " ]
		echo "${lines[3]}" | jq -e --argjson d "$d" '.depth == $d and .maxDepth == 4'
	done
	run nest_exec 4 docker run --rm busybox sh -c 'echo hello-below-depth-4; ls /sys/class/net'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello-below-depth-4 ]
	[ "${lines[1]}" = lo ]
	# a fifth nest: the inner docker's user is told which depth and which limit
	run nest_exec 4 docker run --rm --privileged -e NESTRUN_NESTED=1 nestrun-dind:test /entrypoint.sh
	[ "$status" -ne 0 ]
	[[ "$output" == *"nesting depth 5 exceeds the maximum 4"* ]]
	run nest_exec 4 docker ps -aq
	[ -z "$output" ]
	# disk, per level: no image byte is written anywhere (every seeded layer's diff is an
	# empty mount point on the host), and what a level writes beyond what its containers
	# write (their layers and logs) is at most 1 MiB of metadata
	local dirs dir layer written containers id tree
	tree=$(hnestrun tree --format json)
	mapfile -t dirs < <(chain_nest_dirs "$tree")
	[ "${#dirs[@]}" -eq 4 ]
	for dir in "${dirs[@]}"; do
		for layer in "$NEST_STORE"/layers/*; do
			[ -d "$dir/docker/overlay2/${layer##*/}/diff" ]
			[ -z "$(ls -A "$dir/docker/overlay2/${layer##*/}/diff")" ]
		done
		id=${dir##*/}
		written=$(jq --arg id "$id" '.. | objects | select(.id? == $id) | .bytesWritten' <<<"$tree")
		containers=0
		for layer in "$dir"/docker/overlay2/* "$dir"/docker/containers; do
			case ${layer##*/} in l) continue ;; esac
			[ -e "$NEST_STORE/layers/${layer##*/}" ] && continue
			containers=$((containers + $(du -sk "$layer" | cut -f1) * 1024))
		done
		echo "# nest ${id:0:12}: written $((written / 1024)) KiB, of which containers $((containers / 1024)) KiB" >&3
		[ $((written - containers)) -le $((1024 * 1024)) ]
	done
}

@test "NESTRUN_MAX_DEPTH=2 for the host's nestrun: a depth-3 nest is refused inside depth 2, other containers run" {
	hdocker run -d --name d1 --runtime nestrun-max2 --privileged -e NESTRUN_NESTED=1 nestrun-dind:test >/dev/null
	nest_wait hdocker exec d1
	run nest_exec 1 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e '.depth == 1 and .maxDepth == 2'
	nest_exec 1 docker run -d --name d2 --privileged -e NESTRUN_NESTED=1 nestrun-dind:test /entrypoint.sh
	nest_wait nest_exec 2
	run nest_exec 2 docker run --rm --privileged -e NESTRUN_NESTED=1 nestrun-dind:test /entrypoint.sh
	[ "$status" -ne 0 ]
	[[ "$output" == *"nesting depth 3 exceeds the maximum 2"* ]]
	run nest_exec 2 docker run --rm busybox echo not-a-nest
	[ "$status" -eq 0 ]
	[ "$output" = not-a-nest ]
}

# The lab's network (a bridge of the private dockerd) and, if the host's FORWARD policy
# would drop bridged traffic, our rule letting it pass on that bridge only.
LAB_NET=nrlab$$
lab_cleanup() {
	if [ -n "${LAB_RULE:-}" ]; then
		iptables -D FORWARD -i "$LAB_NET" -o "$LAB_NET" -j ACCEPT 2>/dev/null || true
		LAB_RULE=
	fi
	hdocker network rm "$LAB_NET" >/dev/null 2>&1 || true
}

@test "a Kathara-style lab: nested devices on a bridge reach each other, each runs an inner container from the store" {
	hdocker network create --driver bridge -o com.docker.network.bridge.name="$LAB_NET" "$LAB_NET" >/dev/null
	if iptables -S FORWARD 2>/dev/null | grep -q '^-P FORWARD DROP'; then
		iptables -I FORWARD -i "$LAB_NET" -o "$LAB_NET" -j ACCEPT
		LAB_RULE=1
	fi
	local dev i j ip=()
	for i in 1 2 3; do
		hdocker run -d --name "lab$$-dev$i" --hostname "dev$i" --network "$LAB_NET" --runtime nestrun \
			--privileged -e NESTRUN_NESTED=1 nestrun-dind:test >/dev/null
	done
	for i in 1 2 3; do
		dev=lab$$-dev$i
		nest_wait hdocker exec "$dev"
		ip[i]=$(hdocker inspect -f "{{(index .NetworkSettings.Networks \"$LAB_NET\").IPAddress}}" "$dev")
		[ -n "${ip[i]}" ]
		# the device's engine lists the store's images before any pull, and serves its
		# name on port 7000 from an inner container of the pre-loaded busybox (in the
		# device's network namespace)
		# shellcheck disable=SC2016  # expanded by the device's sh
		run hdocker exec "$dev" sh -c 'docker images --format "{{.Repository}}:{{.Tag}}" | grep -x busybox:latest
			docker run -d --name svc --network host busybox nc -ll -p 7000 -e echo "served-by-$0" >/dev/null
			docker inspect -f "{{.Image}}" svc; docker inspect -f "{{.Id}}" busybox:latest' "dev$i"
		[ "${lines[0]}" = busybox:latest ]
		[ -n "${lines[1]}" ]
		[ "${lines[1]}" = "${lines[2]}" ]
	done
	# every device reaches every other one over the bridge: ICMP, and TCP to the inner service
	for i in 1 2 3; do
		# shellcheck disable=SC2016  # expanded by the device's sh
		run hdocker exec "lab$$-dev$i" sh -c 'for a in "$@"; do
			ping -c 1 -W 5 "$a" >/dev/null && echo "ping $a ok"; nc -w 5 "$a" 7000 </dev/null; done' \
			sh "${ip[@]}"
		for j in 1 2 3; do
			[[ "$output" == *"ping ${ip[j]} ok"* ]]
			[[ "$output" == *"served-by-dev$j"* ]]
		done
	done
	# deleting the lab leaves nothing: nest dirs, leases, mounts (teardown checks them), the bridge
	# shellcheck disable=SC2046  # one name per word
	hdocker rm -f $(hdocker ps -aq --filter "name=lab$$-") >/dev/null
	lab_cleanup
	run ip link show "$LAB_NET"
	[ "$status" -ne 0 ]
	[ -z "$(ls "$NEST_STORE/nests")" ]
	[ -z "$(ls "$NEST_STORE/leases")" ]
}
