#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Crash safety: nestrun is SIGKILLed at named steps of create, start, delete and
# image import (NESTRUN_DEBUG_CRASH_AT, common/debug.h).  Afterwards: no process,
# mount or cgroup of the container survives a `delete --force`; the state is either
# absent or readable; the id can be used again; an interrupted import leaves no
# visible partial layer or ref, and re-import and `image gc` succeed.
# teardown_bundle's health check then fails the test on anything left behind.

load helpers

function setup() {
	setup_bundle
	# every test here kills nestrun mid-way: the log may end without a final line
	expect_error
}

function teardown() {
	teardown_bundle
}

# crash_at POINT ARGS...: run nestrun ARGS with the crash point set; it must die by SIGKILL.
function crash_at() {
	local point=$1
	shift
	local rc=0
	NESTRUN_DEBUG_CRASH_AT=$point __nestrun "$@" >"$ROOT/crash.out" 2>&1 </dev/null || rc=$?
	echo "crash at $point: nestrun $* exited $rc: $(cat "$ROOT/crash.out")" >&2
	[ "$rc" -eq 137 ] || fail "nestrun did not die at $point (exit $rc)"
}

# After a crash: `state` works or says "does not exist"; delete -f cleans up; the id is free again.
function recover_and_reuse() {
	local id=$1
	nestrun state "$id"
	if [ "$status" -eq 0 ]; then
		echo "$output" | jq -e '.status | test("^(creating|created|running|stopped)$")'
	else
		[[ "$output" == *"does not exist"* ]] || fail "state after the crash: $output"
	fi
	nestrun delete --force "$id"
	[ "$status" -eq 0 ] || [[ "$output" == *"does not exist"* ]] || fail "delete -f after the crash: $output"
	[ ! -e "$NESTRUN_ROOT/$id" ] || fail "state dir $NESTRUN_ROOT/$id left after delete -f"
	# no process of this container's cgroup, no cgroup
	local d
	for d in /sys/fs/cgroup/*/"$CGROUP_REL"; do
		[ ! -d "$d" ] || fail "cgroup $d left after delete -f"
	done
	# the id can be used again, for a full run
	set_args nr-payload echo again
	nestrun run "$id"
	[ "$status" -eq 0 ] || fail "run after recovery: $output"
	[[ "$output" == *again* ]]
}

@test "crash during create: every point recovers with delete --force" {
	set_args nr-payload pause
	local p
	for p in create:after-state-dir create:after-clone create:after-save-state; do
		crash_at "$p" create "ct-${p//:/-}"
		recover_and_reuse "ct-${p//:/-}"
	done
}

@test "crash during create between cgroup and state: the cgroup is recovered" {
	# Killed after the cgroup exists but before state.json records it: create wrote
	# creating.json (init pid, cgroup dirs) before its first mkdir, and the debris
	# path of nr_state_open kills and removes what it names.  At before-save-state
	# the init has outlived create (past PR_SET_PDEATHSIG): it must be killed too.
	set_args nr-payload pause
	local p
	for p in create:after-cgroup create:before-save-state; do
		crash_at "$p" create "ct-${p//:/-}"
		recover_and_reuse "ct-${p//:/-}"
	done
}

@test "crash during start: delete --force recovers" {
	local p
	for p in start:after-signal start:before-state-write; do
		set_args nr-payload pause
		nestrun create "ct-${p//:/-}"
		[ "$status" -eq 0 ]
		crash_at "$p" start "ct-${p//:/-}"
		recover_and_reuse "ct-${p//:/-}"
	done
}

@test "crash during delete: the next delete --force finishes the job" {
	local p
	for p in delete:after-kill delete:before-state-remove; do
		set_args nr-payload pause
		nestrun run -d "ct-${p//:/-}"
		[ "$status" -eq 0 ]
		crash_at "$p" delete --force "ct-${p//:/-}"
		recover_and_reuse "ct-${p//:/-}"
	done
}

@test "crash during image import: no partial layer or ref; re-import and gc succeed" {
	requires root python3
	local store="$ROOT/store" src="$ROOT/img" p
	mkdir -p "$src/rootfs/bin"
	cp "$(payload_binary)" "$src/rootfs/bin/nr-payload"
	tar -C "$src/rootfs" -cf "$src/rootfs.tar" .
	# store:before-version first: only the import that creates the store gets there
	for p in store:before-version import:after-unpack import:before-layer-commit import:after-layer-commit import:before-ref; do
		local rc=0
		NESTRUN_DEBUG_CRASH_AT=$p "$NESTRUN" image import --store "$store" --rootfs "$src/rootfs.tar" \
			--name crash/img:1 >"$ROOT/crash.out" 2>&1 || rc=$?
		echo "import crash at $p: exit $rc $(cat "$ROOT/crash.out")" >&2
		[ "$rc" -eq 137 ] || fail "import did not die at $p (exit $rc)"
		# no ref yet: the image is not listed (refs are written last)
		run "$NESTRUN" image ls --store "$store"
		echo "ls: $output" >&2
		[ "$status" -eq 0 ] || fail "image ls after a crash at $p: $output"
		[[ "$output" != *crash/img* ]] || fail "ref visible after a crash at $p"
		# every visible layer is complete (has its layer.json)
		local l
		for l in "$store"/layers/*; do
			[ -e "$l" ] || continue
			[ -f "$l/layer.json" ] || fail "partial layer $l visible after a crash at $p"
		done
		run "$NESTRUN" image gc --store "$store"
		[ "$status" -eq 0 ] || fail "gc after a crash at $p: $output"
	done
	run "$NESTRUN" image import --store "$store" --rootfs "$src/rootfs.tar" --name crash/img:1
	[ "$status" -eq 0 ] || fail "re-import: $output"
	run "$NESTRUN" image ls --store "$store"
	[[ "$output" == *crash/img* ]]
	run "$NESTRUN" image gc --store "$store"
	[ "$status" -eq 0 ]
	# the staging area is empty again
	[ -z "$(ls -A "$store/tmp" 2>/dev/null)" ] || fail "debris in $store/tmp: $(ls -A "$store/tmp")"
}
