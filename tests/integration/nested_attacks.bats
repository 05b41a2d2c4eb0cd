#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The shared store under attack (issue 6): from privileged DinD nests at depth 1, 2
# and 3 (one chain d1 > d2 > d3 for the whole file, under a private dockerd whose
# runtime is the static nestrun), try to change the store's files and the shared
# layers by every path a nest has: the read-only bind at /run/nestrun-nest/store, the
# layer binds in the inner data-root, /proc/<pid>/root of inner containers, mount
# tricks (remount, mount_setattr, clones, submounts), the inner engine's API.  Each
# attempt must be refused (or, for an inner container's own root, land in its own
# layer) and the store's checksum (content, mode, owner, xattrs, link targets, link
# counts, times: tests/nested/store-sum.py) must not change.  What a --privileged nest
# can still do by other means is in docs/security.md.
#
#   NESTRUN_STATIC=/path/to/static/nestrun NR_PAYLOAD=/path/to/nr-payload \
#       bats tests/integration/nested_attacks.bats
# shellcheck disable=SC2154

load helpers
load ../nested/helpers

S=/run/nestrun-nest/store

setup_file() {
	local why
	why=$(nest_missing)
	[ -n "$why" ] || [ -x "${NR_PAYLOAD:-}" ] || why="needs the static test payload (NR_PAYLOAD)"
	if [ -n "$why" ]; then
		export NEST_SKIP="$why"
		return 0
	fi
	nest_dockerd_start
	nest_images
	# health (for teardown_file): the chain is the file's, so is the check
	engine_health_begin "$NEST_WORK" "$NEST_CGROUP_PARENT"
	nest_chain 3
	# the reference, once the chain's nests and leases exist
	STORE_SUM0=$(store_sum)
	RUNTIME_SUM0=$(sha256sum <"$NESTRUN_STATIC")
	local l
	for l in "$NEST_STORE"/layers/*; do
		[ -e "$l/diff/entrypoint.sh" ] || BB_LAYER=${l##*/}
	done
	BLOB=$(ls "$NEST_STORE/blobs/sha256" | head -1)
	export NEST_WORK NEST_STORE DOCKER_HOST_SOCK STORE_SUM0 RUNTIME_SUM0 BB_LAYER BLOB
}

teardown_file() {
	local rc=0
	if [ -z "${NEST_SKIP:-}" ]; then
		# nothing of the chain survives its removal: nests, leases, mounts,
		# processes, state, cgroups, runtime errors
		nest_teardown || rc=1
		engine_health_check || rc=1
	fi
	nest_dockerd_stop
	return $rc
}

setup() {
	[ -z "${NEST_SKIP:-}" ] || skip "$NEST_SKIP"
}

# Nothing reached the store, nor the host's nestrun injected into every nest.
store_unchanged() {
	[ "$(store_sum)" = "$STORE_SUM0" ] || {
		echo "the store changed" >&2
		return 1
	}
	[ "$(sha256sum <"$NESTRUN_STATIC")" = "$RUNTIME_SUM0" ] || {
		echo "the injected nestrun changed" >&2
		return 1
	}
}

# refused TEXT: every "OPERATION RESULT" line of TEXT is a refusal ("clone OK" aside:
# a clone of a locked mount is as locked as its source); there is at least one.
refused() {
	local got
	[ -n "$1" ] || return 1
	got=$(grep -v -e ' clone OK$' -e '^clone OK$' <<<"$1" | grep ' OK$') || true
	[ -z "$got" ] || {
		echo "not refused:" >&2
		echo "$got" >&2
		return 1
	}
}

@test "tree: the host sees the chain of three, its depths, parents, images and bytes" {
	local id1 id2 id3
	id1=$(hdocker inspect -f '{{.Id}}' d1)
	id2=$(nest_exec 1 docker inspect -f '{{.Id}}' d2)
	id3=$(nest_exec 2 docker inspect -f '{{.Id}}' d3)
	run hnestrun tree --format json
	[ "$status" -eq 0 ]
	local json=$output
	echo "$json" | jq -e --arg a "$id1" --arg b "$id2" --arg c "$id3" '
		length == 1 and .[0].id == $a and .[0].parent == "" and .[0].depth == 1 and .[0].nested
		and (.[0].children | length) == 1 and .[0].children[0].id == $b and .[0].children[0].parent == $a
		and .[0].children[0].depth == 2
		and (.[0].children[0].children | length) == 1 and .[0].children[0].children[0].id == $c
		and .[0].children[0].children[0].parent == $b and .[0].children[0].children[0].depth == 3
		and (.[0].children[0].children[0].children | length) == 0'
	# every level: docker, both images shared (the same bytes), something written
	echo "$json" | jq -e '[.. | objects | select(has("depth"))] | length == 3 and all(
		.engine == "docker" and (.images | sort) == ["busybox:latest", "nestrun-dind:test"]
		and .bytesShared > 190000000 and .bytesWritten > 0 and .bytesWritten < 2097152)'
	echo "$json" | jq -e '[.. | objects | select(has("depth")) | .bytesShared] | unique | length == 1'
	# the tree's parents are the nests' own lineage records
	run nest_exec 3 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e --arg b "$id2" '.parent == $b and .depth == 3'
	run nest_exec 2 cat /run/nestrun-nest/nest.json
	echo "$output" | jq -e --arg a "$id1" '.parent == $a and .depth == 2'
	# the text form: one line per level, indented by level, the same columns
	run hnestrun tree
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" == "ID "*" DEPTH ENGINE "*" SHARED "*" WRITTEN" ]]
	[[ "${lines[1]}" =~ ^${id1:0:38}[0-9a-f]*\ +1\ +docker\ +running\ +2\ +[0-9.]+MiB\ +[0-9.]+KiB$ ]]
	[[ "${lines[2]}" =~ ^\ \ ${id2:0:36}[0-9a-f]*\ +2\ +docker\ +-\ +2\ +[0-9.]+MiB\ +[0-9.]+KiB$ ]]
	[[ "${lines[3]}" =~ ^\ \ \ \ ${id3:0:34}[0-9a-f]*\ +3\ +docker\ +-\ +2\ +[0-9.]+MiB\ +[0-9.]+KiB$ ]]
}

@test "store files and shared layers: writes, metadata, xattrs, links, renames, deletes refused at depth 1, 2, 3" {
	local d L=$BB_LAYER paths
	paths="$S $S/refs.json $S/VERSION $S/layers $S/layers/$L $S/layers/$L/layer.json $S/layers/$L/diff
		$S/layers/$L/diff/bin $S/layers/$L/diff/bin/busybox $S/layers/$L/diff/bin/sh $S/blobs/sha256/$BLOB
		/var/lib/docker/overlay2/$L/diff /var/lib/docker/overlay2/$L/diff/etc
		/var/lib/docker/overlay2/$L/diff/bin/busybox /var/lib/docker/overlay2/$L/diff/bin/sh
		/run/nestrun-nest/bin/nestrun /run/nestrun-nest/nest.json /etc/docker/daemon.json"
	for d in 1 2 3; do
		# shellcheck disable=SC2016  # expanded by the nest's sh
		run nest_exec "$d" sh -c 'for p in $0; do nr-payload mutate "$p" | sed "s|^|$p |"; done' "$paths"
		[ "$status" -eq 0 ]
		echo "# depth $d: $(wc -l <<<"$output") attempts" >&3
		refused "$output"
		# all of them were tried: 18 paths, 10 to 15 operations each
		[[ "$output" != *nr-payload:* ]]
		[ "${#lines[@]}" -gt 200 ]
		[[ "$output" == *"$S/refs.json write EROFS"* ]]
		[[ "$output" == *"/var/lib/docker/overlay2/$L/diff/bin/busybox truncate EROFS"* ]]
		[[ "$output" == *"/run/nestrun-nest/bin/nestrun chmod EROFS"* ]]
	done
	store_unchanged
}

@test "mount tricks from privileged nests at depth 1, 2, 3: the shared mounts stay read-only and covered" {
	local d L=$BB_LAYER
	for d in 1 2 3; do
		# shellcheck disable=SC2016  # expanded by the nest's sh
		run nest_exec "$d" sh -c '
			S=$0 L=$1
			nr-payload unlock "$S" nests
			nr-payload unlock "/var/lib/docker/overlay2/$L/diff"
			nr-payload unlock /run/nestrun-nest/bin/nestrun
			nr-payload unlock /run/nestrun-nest/nest.json
			mount -o remount,rw,bind "$S" 2>/dev/null && echo "busybox-remount-bind OK" || echo "busybox-remount-bind refused"
			mount -o remount,rw "$S" 2>/dev/null && echo "busybox-remount OK" || echo "busybox-remount refused"
			mount -o remount,rw,bind "/var/lib/docker/overlay2/$L/diff" 2>/dev/null && echo "layer-remount OK" || echo "layer-remount refused"
			# a new bind of the store (or of a layer) is as locked as the original
			mkdir -p /tmp/x /tmp/y
			mount --rbind "$S" /tmp/x && mount --bind "$S/layers/$L/diff" /tmp/y || echo "bind FAILED"
			mount -o remount,rw,bind /tmp/x 2>/dev/null && echo "rebind-remount OK" || echo "rebind-remount refused"
			nr-payload unlock /tmp/y
			echo "rebind-write $(nr-payload touch-ro /tmp/x/new)"
			umount -l /tmp/x /tmp/y
			echo "write $(nr-payload touch-ro "$S/new")"
			# the other nests'"'"' directories stay masked
			echo "nests-mask $(ls -A "$S/nests" | wc -l)"
			# an overlay with a shared layer as lower: writes go to its upper, on a tmpfs
			mkdir -p /tmp/o && mount -t tmpfs tmpfs /tmp/o && mkdir /tmp/o/u /tmp/o/w /tmp/o/m
			mount -t overlay overlay -o "lowerdir=$S/layers/$L/diff,upperdir=/tmp/o/u,workdir=/tmp/o/w" /tmp/o/m
			echo x >>/tmp/o/m/bin/busybox && [ -s /tmp/o/u/bin/busybox ] && echo "overlay copied-up"
			umount /tmp/o/m /tmp/o
		' "$S" "$L"
		[ "$status" -eq 0 ]
		echo "$output"
		refused "$output"
		[[ "$output" == *"remount-rw EPERM"* ]]
		[[ "$output" == *"clone-setattr-rw EPERM"* ]]
		[[ "$output" == *"umount-below EINVAL"* ]]
		[[ "$output" == *"busybox-remount-bind refused"* ]]
		[[ "$output" == *"busybox-remount refused"* ]]
		[[ "$output" == *"rebind-remount refused"* ]]
		[[ "$output" == *"rebind-write EROFS"* ]]
		[[ "$output" == *"write EROFS"* ]]
		[[ "$output" == *"nests-mask 0"* ]]
		[[ "$output" == *"overlay copied-up"* ]]
		[[ "$output" != *FAILED* ]]
	done
	store_unchanged
}

@test "/proc/<pid>/root of inner containers at depth 1, 2, 3: writes land in their own layer, nests' stores refuse" {
	local d L=$BB_LAYER sum
	sum=$(sha256sum <"$NEST_STORE/layers/$L/diff/etc/passwd" | cut -d' ' -f1)
	for d in 1 2 3; do
		# shellcheck disable=SC2016  # expanded by the nest's sh
		run nest_exec "$d" sh -c '
			S=$0 L=$1 child=$2
			docker run -d --name victim busybox sleep 600 >/dev/null
			pid=$(docker inspect -f "{{.State.Pid}}" victim)
			# the victim'"'"'s root is its own overlay: a change is a copy-up into its layer
			echo X >>"/proc/$pid/root/etc/passwd" && chmod 700 "/proc/$pid/root/bin/sh" &&
				nr-payload mutate "/proc/$pid/root/etc" >/dev/null
			echo "victim-sees $(docker exec victim tail -n 1 /etc/passwd)"
			# the shared layer is not: a new container of the image sees the original
			docker run --rm busybox sh -c "sha256sum /etc/passwd; stat -c %a /bin/busybox" | tr "\n" " "
			echo
			docker rm -f victim >/dev/null
			# the root of an inner nest, seen from above: what it shares refuses.  (Its
			# mount points themselves are not refused a rename from here, since they are
			# not mount points in this namespace: they are that nest'"'"'s own directories,
			# which its parent owns anyway.)
			[ -n "$child" ] || exit 0
			pid=$(docker inspect -f "{{.State.Pid}}" "$child")
			for p in "$S/refs.json" "$S/layers" "$S/layers/$L/layer.json" "$S/layers/$L/diff/bin/busybox" \
				"/var/lib/docker/overlay2/$L/diff/etc" "/var/lib/docker/overlay2/$L/diff/bin/busybox"; do
				nr-payload mutate "/proc/$pid/root$p"
			done
			nr-payload unlock "/proc/$pid/root$S"
		' "$S" "$L" "$([ "$d" -lt 3 ] && echo "d$((d + 1))")"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "victim-sees X" ]
		[[ "${lines[1]}" == "$sum "*" 755 " ]]
		[ "$d" -eq 3 ] || {
			[ "${#lines[@]}" -gt 60 ]
			refused "$(printf '%s\n' "${lines[@]:2}")"
		}
	done
	store_unchanged
}

@test "a CAP_SYS_ADMIN nest that is not --privileged: no remount, no file handle, no device reaches the store" {
	hdocker run -d --name c1 --runtime nestrun --cap-add SYS_ADMIN --cap-add NET_ADMIN \
		--security-opt seccomp=unconfined -e NESTRUN_NESTED=1 nestrun-dind:test >/dev/null
	nest_wait hdocker exec c1
	# a working nest: its engine runs the shared image
	run hdocker exec c1 docker run --rm busybox echo inner
	[ "$output" = inner ]
	# shellcheck disable=SC2016  # expanded by the nest's sh
	run hdocker exec c1 sh -c '
		S=$0
		nr-payload unlock "$S" nests
		nr-payload mutate "$S/refs.json"
		# open_by_handle_at through its own writable data-root, on the same filesystem:
		# needs CAP_DAC_READ_SEARCH, which docker does not give it
		nr-payload handle-open "$S/refs.json" /var/lib/docker
		echo "block-devices $(find /dev -type b | wc -l)"
		dev=$(awk -v s="$S" "\$5 == s {print \$3}" /proc/self/mountinfo)
		mknod /tmp/disk b "${dev%%:*}" "${dev##*:}" && { head -c 1 /tmp/disk >/dev/null 2>&1 && echo "disk-read OK" || echo "disk-read refused"; }
	' "$S"
	[ "$status" -eq 0 ]
	echo "$output"
	refused "$output"
	[[ "$output" == *"open-by-handle-rw EPERM"* ]]
	[[ "$output" == *"block-devices 0"* ]]
	[[ "$output" == *"disk-read refused"* ]]
	hdocker rm -f c1 >/dev/null
	store_unchanged
}

@test "the inner engines' API at depth 3, 2, 1: docker cp, rmi, image prune, system prune leave the store as it was" {
	local d L=$BB_LAYER sum
	sum=$(sha256sum <"$NEST_STORE/layers/$L/diff/bin/busybox" | cut -d' ' -f1)
	for d in 3 2 1; do
		run nest_exec "$d" sh -c '
			docker run -d --name cpv busybox sleep 600 >/dev/null
			# overwrite a shared file in a running container: its own layer only
			docker cp /etc/docker/daemon.json cpv:/bin/busybox && docker cp /etc/docker/daemon.json cpv:/etc/added &&
				echo copied
			docker run --rm busybox sha256sum /bin/busybox
			docker rm -f cpv >/dev/null
			# removing the images removes this engine'"'"'s metadata, never a shared byte
			docker rmi -f busybox:latest >/dev/null 2>&1
			docker image prune -af >/dev/null 2>&1
			docker system prune -af >/dev/null 2>&1
			echo "left: $(docker images --format "{{.Repository}}" | tr "\n" " ")"
		'
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = copied ]
		[ "${lines[1]%% *}" = "$sum" ]
		[[ "${lines[2]}" == "left: "* ]]
		[[ "${lines[2]}" != *busybox* ]]
	done
	store_unchanged
	# the images are still in the store, and a fresh nest still gets them
	run hnestrun image ls
	[[ "$output" == *busybox:latest* ]]
	[[ "$output" == *nestrun-dind:test* ]]
	nest_start fresh
	run hdocker exec fresh docker run --rm busybox sha256sum /bin/busybox
	[ "${output%% *}" = "$sum" ]
}

@test "deleting the chain leaves nothing behind: nest dirs, leases, mounts; the store is as it was" {
	hdocker rm -f d1 fresh >/dev/null
	[ -z "$(hdocker ps -aq)" ]
	[ -z "$(ls "$NEST_STORE/nests")" ]
	[ -z "$(ls "$NEST_STORE/leases")" ]
	run grep "$NEST_STORE/" /proc/self/mountinfo
	[ "$status" -ne 0 ]
	store_unchanged
}
