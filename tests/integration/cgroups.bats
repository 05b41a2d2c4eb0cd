#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.cgroupsPath and linux.resources on this host's cgroups (v1, hybrid or v2).

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
	set_args nr-payload pause
}

function teardown() {
	teardown_bundle
}

@test "the container is placed in cgroupsPath in every v1 hierarchy" {
	requires cgroup_v1
	nestrun run -d --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]
	local pid c
	pid=$(cat "$ROOT/pid")
	for c in memory pids cpu cpuset devices freezer blkio; do
		[ -d "/sys/fs/cgroup/$c" ] || continue
		grep -qx "$pid" "$(cgroup_dir "$c")/cgroup.procs" || fail "$pid not in $c"
	done
	grep -q "^[0-9]*:pids:/$CGROUP_REL\$" "/proc/$pid/cgroup"
}

@test "hybrid: the container is also placed in the unified hierarchy (as runc and systemd do)" {
	requires hybrid
	nestrun run -d --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]
	grep -qx "$(cat "$ROOT/pid")" "$(cgroup_dir unified)/cgroup.procs"
	grep -q "^0::/$CGROUP_REL\$" "/proc/$(cat "$ROOT/pid")/cgroup"
}

@test "memory limit and reservation (v1)" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes 67108864
	check_cgroup_value memory memory.soft_limit_in_bytes 33554432
}

@test "the memory limit is visible inside the container (v1)" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {"limit": 67108864}'
	set_args cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = 67108864 ]
}

@test "memory+swap limit (v1, when swap accounting is on)" {
	requires cgroup_v1
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "requires swap accounting (memory.memsw.*)"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.memsw.limit_in_bytes 134217728
}

@test "the memory limit is enforced: the OOM killer ends the process" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	# busybox's sh holds a 64 MiB string in memory.
	set_args sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	nestrun run ct1
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
}

@test "pids limit (v1) and its enforcement" {
	requires cgroup_v1
	update_config '.linux.resources.pids = {"limit": 10}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value pids pids.max 10

	set_args sh -c 'for i in $(seq 20); do sleep 5 & done; echo all-forked'
	update_config '.linux.cgroupsPath = "/'"$CGROUP_REL"'-2"'
	nestrun run ct2
	[[ "$output" != *all-forked* ]]
	[[ "$output" == *"can't fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
	rmdir /sys/fs/cgroup/*/"$CGROUP_REL"-2 2>/dev/null || true
}

@test "cpu shares, quota and period (v1)" {
	requires cgroup_v1
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value cpu cpu.shares 512
	check_cgroup_value cpu cpu.cfs_quota_us 50000
	check_cgroup_value cpu cpu.cfs_period_us 100000
}

@test "cpuset cpus and mems (v1)" {
	requires cgroup_v1
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value cpuset cpuset.cpus 0
	check_cgroup_value cpuset cpuset.mems 0
}

@test "blkio weight (v1, blkio.weight or blkio.bfq.weight)" {
	requires cgroup_v1
	[ -d /sys/fs/cgroup/blkio ] || skip "requires the blkio controller"
	update_config '.linux.resources.blockIO = {"weight": 300}'
	nestrun run -d ct1
	if [ "$status" -ne 0 ]; then
		expect_error
		skip "the kernel refuses blkio weights here: $output"
	fi
	local dir
	dir=$(cgroup_dir blkio)
	if [ -e "$dir/blkio.weight" ]; then
		check_cgroup_value blkio blkio.weight 300
	elif [ -e "$dir/blkio.bfq.weight" ]; then
		[[ "$(cat "$dir/blkio.bfq.weight")" == *300* ]]
	else
		skip "no blkio weight file on this kernel"
	fi
}

@test "hugetlb limit (v1)" {
	requires cgroup_v1
	[ -d /sys/fs/cgroup/hugetlb ] || skip "requires the hugetlb controller (not mounted on this host)"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value hugetlb hugetlb.2MB.limit_in_bytes 4194304
}

@test "a cgroupsPath that exists already is reused" {
	requires cgroup_v1
	mkdir -p "$(cgroup_dir pids)"
	nestrun run -d --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]
	grep -qx "$(cat "$ROOT/pid")" "$(cgroup_dir pids)/cgroup.procs"
}

@test "v2: memory.max, pids.max, cpu.max and cpu.weight" {
	requires cgroup_v2
	update_config '.linux.resources.memory = {"limit": 67108864}
		| .linux.resources.pids = {"limit": 10}
		| .linux.resources.cpu = {"quota": 50000, "period": 100000, "shares": 1024}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value unified memory.max 67108864
	check_cgroup_value unified pids.max 10
	check_cgroup_value unified cpu.max "50000 100000"
	check_cgroup_value unified cpu.weight 39
}

@test "v2: linux.resources.unified writes raw files" {
	requires cgroup_v2
	update_config '.linux.resources.unified = {"pids.max": "42", "memory.high": "50000000"}'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	check_cgroup_value unified pids.max 42
	check_cgroup_value unified memory.high 49999872
}

@test "the cgroup is removed on delete, even with processes forked into the background" {
	requires cgroup_v1
	set_args sh -c 'sleep 1000 & sleep 1000 & exec nr-payload pause'
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	retry 50 0.1 test "$(wc -l <"$(cgroup_dir pids)/cgroup.procs")" -ge 3
	nestrun delete -f ct1
	[ "$status" -eq 0 ]
	retry 50 0.1 test ! -d "$(cgroup_dir pids)"
}
