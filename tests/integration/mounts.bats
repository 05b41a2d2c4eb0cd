#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# root and mounts: bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup, readonly
# root, maskedPaths, readonlyPaths, rro, propagation.

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
	mkdir -p "$ROOT/host/dir"
	echo "host file" >"$ROOT/host/file"
	echo "in dir" >"$ROOT/host/dir/inside"
}

function teardown() {
	teardown_bundle
}

# add_mount JSON: append one entry to .mounts
function add_mount() {
	update_config ".mounts += [$1]"
}

@test "bind mount of a directory, read-write" {
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/mnt/dir", "type": "bind", "options": ["rbind", "rw"]}'
	set_args sh -c 'cat /mnt/dir/inside && nr-payload write /mnt/dir/new written'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "in dir" ]
	[ "$(cat "$ROOT/host/dir/new")" = written ]
}

@test "bind mount of a directory, read-only" {
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/mnt/dir", "type": "bind", "options": ["bind", "ro"]}'
	set_args sh -c 'cat /mnt/dir/inside && nr-payload touch-ro /mnt/dir/new'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "in dir" ]
	[ "${lines[1]}" = EROFS ]
	[ ! -e "$ROOT/host/dir/new" ]
}

@test "bind mount of a file, read-write and read-only" {
	add_mount '{"source": "'"$ROOT/host/file"'", "destination": "/etc/bound-file", "options": ["bind"]}'
	add_mount '{"source": "'"$ROOT/host/file"'", "destination": "/etc/bound-ro", "options": ["bind", "ro"]}'
	set_args sh -c 'cat /etc/bound-file; echo changed >/etc/bound-file; nr-payload stat /etc/bound-ro; { echo x >/etc/bound-ro; } 2>/dev/null || echo refused'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "host file" ]
	[[ "${lines[1]}" == file* ]]
	[[ "$output" == *refused* ]]
	[ "$(cat "$ROOT/host/file")" = changed ]
}

@test "the mount destination is created when missing, even deep" {
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/a/b/c/d", "options": ["bind"]}'
	set_args nr-payload cat /a/b/c/d/inside
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "in dir" ]
}

@test "tmpfs with size and mode" {
	add_mount '{"source": "tmpfs", "destination": "/scratch", "type": "tmpfs", "options": ["nosuid", "nodev", "size=4m", "mode=1770"]}'
	set_args sh -c 'nr-payload stat /scratch; nr-payload mount-info /scratch; df -k /scratch | tail -n 1'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "dir 1770 0 0 "* ]]
	[[ "${lines[1]}" == "tmpfs "*nosuid*nodev* ]]
	[[ "${lines[1]}" == *size=4096k* ]]
	[[ "${lines[2]}" =~ ^tmpfs\ +4096\  ]]
}

@test "mount flags: noexec, nosuid, nodev, ro on a tmpfs" {
	add_mount '{"source": "tmpfs", "destination": "/flags", "type": "tmpfs", "options": ["noexec", "nosuid", "nodev", "ro"]}'
	set_args nr-payload mount-info /flags
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^tmpfs\ ro, ]]
	[[ "$output" == *noexec* ]]
	[[ "$output" == *nosuid* ]]
	[[ "$output" == *nodev* ]]
}

@test "/proc is a fresh proc of the container's pid namespace" {
	set_args sh -c 'nr-payload mount-info /proc; ls /proc | grep -E "^[0-9]+$" | wc -l; nr-payload pid'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "proc "* ]]
	# Only the container's processes: sh, ls, grep, wc.
	[ "${lines[1]}" -le 5 ]
	[[ "${lines[2]}" == pid=* ]]
}

@test "/sys is sysfs, read-only without a network namespace of its own" {
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	set_args sh -c 'nr-payload mount-info /sys; nr-payload touch-ro /sys/kernel/new'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^sysfs\ ro, ]]
	[ "${lines[1]}" = EROFS ]
}

@test "/dev/pts is a new devpts instance with ptmxmode and /dev/ptmx points to it" {
	set_args sh -c 'nr-payload mount-info /dev/pts; readlink /dev/ptmx; ls /dev/pts'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "devpts "* ]]
	[[ "${lines[0]}" == *ptmxmode=666* ]]
	[[ "${lines[0]}" == *mode=620* ]]
	[ "${lines[1]}" = pts/ptmx ]
	# A new instance: none of the host's ptys.
	[ "$(echo "$output" | tail -n +3 | tr '\n' ' ')" = "ptmx " ]
}

@test "/dev/mqueue and /dev/shm" {
	set_args sh -c 'nr-payload mount-info /dev/mqueue; nr-payload mount-info /dev/shm'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "mqueue "* ]]
	[[ "${lines[1]}" == "tmpfs "* ]]
	[[ "${lines[1]}" == *size=65536k* ]]
}

@test "a cgroup mount shows the container's own cgroup, read-only" {
	requires cgroup_v1
	set_args sh -c 'ls /sys/fs/cgroup; echo ---; cat /sys/fs/cgroup/pids/cgroup.procs; echo ---; nr-payload touch-ro /sys/fs/cgroup/pids/x; nr-payload touch-ro /sys/fs/cgroup/memory/memory.limit_in_bytes'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "$output" == *memory* ]]
	[[ "$output" == *pids* ]]
	# The container's own cgroup is the one mounted: its pid 1 is in it.
	local procs
	procs=$(echo "$output" | sed -n '/^---$/,/^---$/p' | grep -v -- ---)
	[[ $'\n'"$procs"$'\n' == *$'\n1\n'* ]]
	[ "${lines[-2]}" = EROFS ]
	[ "${lines[-1]}" = EROFS ]
}

@test "a cgroup mount shows the host's hierarchies under the host's names, with and without a cgroup namespace" {
	# runc 1.1 leaves "unified" out of a hybrid host's view; nestrun shows it, as the
	# host has it, with the container's own cgroup in it (the v2 device program's place)
	requires cgroup_v1 not_runc
	local host
	host=$(ls /sys/fs/cgroup | tr '\n' ' ')
	set_args sh -c 'ls /sys/fs/cgroup | tr "\n" " "'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "$host" ]
	if [ -d /sys/fs/cgroup/unified ]; then
		# hybrid: the unified hierarchy is the container's own cgroup there too
		set_args sh -c 'cat /sys/fs/cgroup/unified/cgroup.procs'
		nestrun run ct2
		[ "$status" -eq 0 ]
		[[ $'\n'"$output"$'\n' == *$'\n1\n'* ]]
	fi
	[ -e /proc/self/ns/cgroup ] || return 0
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args sh -c 'ls /sys/fs/cgroup | tr "\n" " "'
	nestrun run ct3
	[ "$status" -eq 0 ]
	[ "$output" = "$host" ]
}

@test "a cgroup mount with a cgroup namespace" {
	requires cgroupns cgroup_v1
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args sh -c 'nr-payload cgroup; nr-payload mount-info /sys/fs/cgroup/memory'
	nestrun run ct1
	[ "$status" -eq 0 ]
	# Inside a cgroup namespace the container's cgroup is its root.
	[[ "$output" == *":memory:/"$'\n'* ]]
	[[ "${lines[-1]}" == "cgroup "* ]]
}

@test "root.readonly makes / read-only but leaves mounts writable" {
	update_config '.root.readonly = true'
	set_args sh -c 'nr-payload touch-ro /new; nr-payload write /tmp/../dev/shm/x y && echo shm-ok; nr-payload mount-info /'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[ "${lines[1]}" = shm-ok ]
	[[ "${lines[2]}" =~ \ ro, ]]
}

@test "maskedPaths hide files and directories" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo secret >"$BUNDLE/rootfs/secret-dir/data"
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config '.linux.maskedPaths = ["/secret-dir", "/secret-file", "/proc/loadavg", "/does/not/exist"]'
	set_args sh -c 'ls /secret-dir | wc -l; cat /secret-file | wc -c; nr-payload stat /proc/loadavg'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	# Files are masked with /dev/null.
	[[ "${lines[2]}" == "char 0666 0 0 1 3" ]]
}

@test "readonlyPaths are read-only" {
	mkdir -p "$BUNDLE/rootfs/ro-dir"
	update_config '.linux.readonlyPaths = ["/ro-dir", "/proc/sys", "/does/not/exist"]'
	set_args sh -c 'nr-payload touch-ro /ro-dir/x; nr-payload touch-ro /proc/sys/kernel/hostname'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[ "${lines[1]}" = EROFS ]
}

@test "rro: a recursive read-only bind makes submounts read-only too" {
	requires_kernel 5.12
	requires feature_mount_rro
	mkdir -p "$ROOT/host/dir/sub"
	mount -t tmpfs nr-test-sub "$ROOT/host/dir/sub"
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/mnt/dir", "options": ["rbind", "rro"]}'
	set_args sh -c 'nr-payload touch-ro /mnt/dir/x; nr-payload touch-ro /mnt/dir/sub/x'
	nestrun run ct1
	umount "$ROOT/host/dir/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[ "${lines[1]}" = EROFS ]
}

@test "rbind brings submounts along; plain bind does not" {
	mkdir -p "$ROOT/host/dir/sub"
	mount -t tmpfs nr-test-sub "$ROOT/host/dir/sub"
	echo sub >"$ROOT/host/dir/sub/file"
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/r", "options": ["rbind"]}'
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/b", "options": ["bind"]}'
	set_args sh -c 'cat /r/sub/file; ls /b/sub | wc -l'
	nestrun run ct1
	umount "$ROOT/host/dir/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = sub ]
	[ "${lines[1]}" = 0 ]
}

@test "propagation: rprivate root by default, rshared and rslave on mounts" {
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/shared", "options": ["rbind", "rshared"]}'
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/slave", "options": ["rbind", "rslave"]}'
	set_args sh -c 'nr-payload propagation /; nr-payload propagation /shared; nr-payload propagation /slave'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = private ]
	[[ "${lines[1]}" == *shared:* ]]
	[[ "${lines[2]}" == *master:* ]] || [ "${lines[2]}" = private ]
}

@test "rootfsPropagation shared" {
	# runc 1.1.5 leaves the container's / private here (the host's / is private).
	requires not_runc
	update_config '.linux.rootfsPropagation = "shared"'
	set_args nr-payload propagation /
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "$output" == *shared:* ]]
}

@test "a mount destination that is a symlink out of the rootfs stays inside" {
	ln -s "$ROOT/host" "$BUNDLE/rootfs/escape"
	add_mount '{"source": "tmpfs", "destination": "/escape/dir", "type": "tmpfs"}'
	set_args true
	nestrun run ct1
	# Whatever the runtime decided, nothing was mounted on the host's directory.
	[ "$(cat "$ROOT/host/dir/inside")" = "in dir" ]
	[ "$status" -eq 0 ] || expect_error
	run ! grep -q "$ROOT/host/dir " /proc/self/mountinfo
}

@test "--no-pivot runs the container with MS_MOVE + chroot" {
	set_args nr-payload ls /
	nestrun run --no-pivot ct1
	[ "$status" -eq 0 ]
	[[ "$output" == *bin* ]]
}

@test "x-nestrun.locked: CAP_SYS_ADMIN inside cannot make a locked read-only bind writable" {
	# nestrun's own option (runtime/mount_lock.c); runc takes it for fs data and ignores it
	requires not_runc
	mkdir -p "$ROOT/host/dir/sub"
	mount -t tmpfs nr-test-sub "$ROOT/host/dir/sub"
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/plain", "options": ["bind", "ro"]}'
	add_mount '{"source": "'"$ROOT/host/dir"'", "destination": "/locked", "options": ["rbind", "ro", "x-nestrun.locked"]}'
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	set_args sh -c 'nr-payload unlock /plain; echo --; nr-payload unlock /locked sub; nr-payload touch-ro /locked/new'
	nestrun run ct1
	umount -l "$ROOT/host/dir/sub"
	[ "$status" -eq 0 ]
	echo "$output"
	# an ordinary read-only bind is read-only only until CAP_SYS_ADMIN remounts it
	[ "${lines[0]}" = "remount-rw OK" ]
	# the locked one: no remount, no mount_setattr, not on a clone; its submount stays
	local locked
	locked=$(printf '%s\n' "${lines[@]}" | sed -n '/^--$/,$p')
	[[ "$locked" == *"remount-rw EPERM"* ]]
	[[ "$locked" == *"setattr-rw EPERM"* ]]
	[[ "$locked" == *"clone-setattr-rw EPERM"* ]]
	[[ "$locked" == *"umount-below EINVAL"* ]]
	# (a clone may be made: it is as locked as what it copies)
	[ -z "$(grep -v '^clone OK$' <<<"$locked" | grep ' OK$')" ]
	[ "${lines[-1]}" = EROFS ]
	[ ! -e "$ROOT/host/dir/new" ]
}
