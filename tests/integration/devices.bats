#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# /dev: the default devices and symlinks, linux.devices entries, the device cgroup.

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
}

function teardown() {
	teardown_bundle
}

@test "the default devices exist with their numbers and modes" {
	set_args sh -c 'for d in null zero full random urandom tty; do nr-payload stat /dev/$d; done'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "char 0666 0 0 1 3" ]
	[ "${lines[1]}" = "char 0666 0 0 1 5" ]
	[ "${lines[2]}" = "char 0666 0 0 1 7" ]
	[ "${lines[3]}" = "char 0666 0 0 1 8" ]
	[ "${lines[4]}" = "char 0666 0 0 1 9" ]
	[ "${lines[5]}" = "char 0666 0 0 5 0" ]
}

@test "the default devices work" {
	set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c; echo x >/dev/full || echo full'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 4 ]
	[ "${lines[1]}" = 8 ]
	[[ "$output" == *full* ]]
}

@test "the /dev symlinks" {
	set_args sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fd -> /proc/self/fd" ]
	[ "${lines[1]}" = "stdin -> /proc/self/fd/0" ]
	[ "${lines[2]}" = "stdout -> /proc/self/fd/1" ]
	[ "${lines[3]}" = "stderr -> /proc/self/fd/2" ]
	[ "${lines[4]}" = "ptmx -> pts/ptmx" ]
}

@test "/dev is a tmpfs with no host devices in it" {
	set_args sh -c 'nr-payload mount-info /dev; ls /dev'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs "*nosuid* ]]
	[[ "$output" != *sda* ]]
	[[ "$output" != *vda* ]]
	[[ "$output" != *kmsg* ]]
}

@test "linux.devices adds device nodes with their type, numbers, mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/nr-null", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 1000, "gid": 1000},
		{"path": "/dev/sub/nr-zero", "type": "c", "major": 1, "minor": 5}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'nr-payload stat /dev/nr-null; nr-payload stat /dev/sub/nr-zero; echo x >/dev/nr-null && echo written'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "char 0660 1000 1000 1 3" ]
	[[ "${lines[1]}" == "char "*" 1 5" ]]
	[ "${lines[2]}" = written ]
}

@test "the device cgroup denies a device node that is not allowed" {
	requires cgroup_v1
	update_config '.linux.devices = [{"path": "/dev/nr-mem", "type": "c", "major": 1, "minor": 1, "fileMode": 384}]'
	set_args sh -c 'head -c 1 /dev/nr-mem >/dev/null 2>&1 && echo opened || echo denied'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = denied ]
}

@test "the device cgroup of the container lists what it allows" {
	requires cgroup_v1
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]'
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	local list
	list=$(cat "$(cgroup_dir devices)/devices.list")
	echo "$list" >&2
	[[ "$list" == *"c 10:200 rwm"* ]]
	[[ "$list" == *"c 1:3 rwm"* ]]
	[[ "$list" != *"a *:* rwm"* ]]
}

@test "a block device entry" {
	update_config '.linux.devices = [{"path": "/dev/nr-loop", "type": "b", "major": 7, "minor": 200, "fileMode": 384}]'
	set_args nr-payload stat /dev/nr-loop
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "block 0600 0 0 7 200" ]
}

@test "a fifo device entry" {
	update_config '.linux.devices = [{"path": "/dev/nr-fifo", "type": "p", "fileMode": 420}]'
	set_args nr-payload stat /dev/nr-fifo
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "fifo 0644 0 0 0 0" ]
}

@test "a device entry with an unknown type is refused" {
	update_config '.linux.devices = [{"path": "/dev/bad", "type": "x", "major": 1, "minor": 3}]'
	expect_error
	nestrun run ct1
	[ "$status" -ne 0 ]
	[ ! -e "$BUNDLE/rootfs/dev/bad" ]
}
