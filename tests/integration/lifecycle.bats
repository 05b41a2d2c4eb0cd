#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# create / start / state / kill / delete / run, as runtime.md and runc define them.

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
}

function teardown() {
	teardown_bundle
}

@test "create leaves the container created, with its pid file, and does not run the process" {
	set_args sh -c 'echo started >/started; exec nr-payload pause'
	nestrun create --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]

	testcontainer ct1 created
	local pid
	pid=$(cat "$ROOT/pid")
	[[ "$pid" =~ ^[0-9]+$ ]]
	[ "$(echo "$output" | jq -r .pid)" = "$pid" ]
	kill -0 "$pid"
	# The user process has not run yet.
	[ ! -e "$BUNDLE/rootfs/started" ]

	# OCI state fields, and runc's extras that engines read.
	[ "$(echo "$output" | jq -r .id)" = ct1 ]
	[ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
	echo "$output" | jq -e '.ociVersion | type == "string"'
	echo "$output" | jq -e '.rootfs == "'"$BUNDLE"'/rootfs"'
	echo "$output" | jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")'
}

@test "start runs the process; kill stops it; delete removes it" {
	set_args sh -c 'echo started >/started; exec nr-payload pause'
	nestrun create --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]

	nestrun start ct1
	[ "$status" -eq 0 ]
	testcontainer ct1 running
	retry 50 0.1 test -e "$BUNDLE/rootfs/started"

	# Starting twice is refused.
	expect_error
	nestrun start ct1
	[ "$status" -ne 0 ]

	nestrun kill ct1 TERM
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct1 stopped

	nestrun delete ct1
	[ "$status" -eq 0 ]
	nestrun state ct1
	[ "$status" -ne 0 ]
	[ ! -e "$NESTRUN_ROOT/ct1" ]
}

@test "state reports stopped once init exits" {
	set_args nr-payload exit 0
	nestrun create ct1
	[ "$status" -eq 0 ]
	nestrun start ct1
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct1 stopped
	nestrun delete ct1
	[ "$status" -eq 0 ]
}

@test "kill accepts signal names and numbers; SIGKILL is the default-free way to stop" {
	set_args nr-payload pause
	for sig in KILL SIGKILL 9; do
		nestrun run -d "ct-$sig"
		[ "$status" -eq 0 ]
		testcontainer "ct-$sig" running
		nestrun kill "ct-$sig" "$sig"
		[ "$status" -eq 0 ]
		wait_for_container 50 0.1 "ct-$sig" stopped
		nestrun delete "ct-$sig"
		[ "$status" -eq 0 ]
	done
}

@test "kill with no signal sends SIGTERM" {
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	nestrun kill ct1
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct1 stopped
}

@test "run in the foreground returns the process's exit code and output" {
	set_args nr-payload echo hello from the payload
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the payload" ]

	set_args nr-payload exit 42
	nestrun run ct2
	[ "$status" -eq 42 ]

	# Without --keep, a finished container is gone.
	expect_error
	nestrun state ct2
	[ "$status" -ne 0 ]
}

@test "run reports death by signal as 128+N" {
	set_args nr-payload pause
	__nestrun run ct1 >"$ROOT/run.out" 2>&1 </dev/null 3>&- &
	local bg=$! rc=0
	# "running" can be reported while the runtime still sets the process up:
	# wait for the payload itself to say so.
	retry 100 0.1 grep -q ready "$ROOT/run.out"
	nestrun kill ct1 KILL
	[ "$status" -eq 0 ]
	wait "$bg" || rc=$?
	cat "$ROOT/run.out" >&2
	[ "$rc" -eq 137 ]
}

@test "run passes stdin and stderr through" {
	set_args sh -c 'read line; echo "got $line"; echo to-stderr >&2'
	run bash -c '"$0" --root "$1" --log "$2" --log-format json run ct1 <<<"ping" 2>/dev/null' \
		"$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG"
	[ "$status" -eq 0 ]
	[ "$output" = "got ping" ]
	set_args sh -c 'echo to-stderr >&2'
	run bash -c '"$0" --root "$1" --log "$2" --log-format json run ct2 2>&1 >/dev/null' \
		"$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG"
	[ "$output" = "to-stderr" ]
}

@test "run --keep keeps the stopped container" {
	nestrun run --keep ct1
	[ "$status" -eq 0 ]
	testcontainer ct1 stopped
	nestrun delete ct1
	[ "$status" -eq 0 ]
}

@test "run --detach returns with the container running" {
	set_args nr-payload pause
	nestrun run -d --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]
	testcontainer ct1 running
	kill -0 "$(cat "$ROOT/pid")"
}

@test "delete refuses a running container without --force" {
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -eq 0 ]

	expect_error
	nestrun delete ct1
	[ "$status" -ne 0 ]
	testcontainer ct1 running

	nestrun delete --force ct1
	[ "$status" -eq 0 ]
	nestrun state ct1
	[ "$status" -ne 0 ]
}

@test "delete --force removes a created container" {
	set_args nr-payload pause
	nestrun create --pid-file "$ROOT/pid" ct1
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/pid")
	nestrun delete --force ct1
	[ "$status" -eq 0 ]
	# Gone, or a zombie waiting for the host's init to reap it.
	retry 50 0.1 process_gone "$pid"
}

@test "delete of a stopped container removes its cgroup" {
	requires cgroup_v1
	set_args nr-payload exit 0
	nestrun run --keep ct1
	[ "$status" -eq 0 ]
	[ -d "$(cgroup_dir pids)" ]
	nestrun delete ct1
	[ "$status" -eq 0 ]
	[ ! -d "$(cgroup_dir pids)" ]
}

@test "state, start, kill, delete of an unknown id fail" {
	expect_error
	for cmd in state start kill delete; do
		nestrun "$cmd" no-such-ct
		[ "$status" -ne 0 ]
		[[ "$output" == *"does not exist"* ]]
	done
	assert_log_error 'does not exist'
}

@test "delete --force of an unknown id succeeds (containerd relies on it, as runc does)" {
	nestrun delete --force no-such-ct
	[ "$status" -eq 0 ]
}

@test "create of an existing id is refused and leaves the first container alone" {
	set_args nr-payload pause
	nestrun create ct1
	[ "$status" -eq 0 ]
	expect_error
	nestrun create ct1
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	assert_log_error 'already exists'
	testcontainer ct1 created
}

@test "two concurrent creates of one id: exactly one wins" {
	set_args nr-payload pause
	expect_error
	__nestrun create race >"$ROOT/a.out" 2>&1 3>&- &
	local a=$! b rca=0 rcb=0
	__nestrun create race >"$ROOT/b.out" 2>&1 3>&- &
	b=$!
	wait "$a" || rca=$?
	wait "$b" || rcb=$?
	cat "$ROOT"/a.out "$ROOT"/b.out >&2
	echo "exit codes: $rca $rcb" >&2
	if [ -n "$NESTRUN_IS_RUNC" ]; then
		# runc 1.1.5 takes no lock: both creates may fail ("exec fifo ... already
		# exists" / "chown .../exec.fifo: no such file or directory").  nestrun
		# serializes operations on an id, so exactly one must win.
		[ "$rca" -ne 0 ] || [ "$rcb" -ne 0 ]
		return 0
	fi
	[ $((rca == 0)) -ne $((rcb == 0)) ]
	testcontainer race created
}

# Invalid ids: every runtime must refuse these with a non-zero exit and the reason
# in --log, and create nothing.
@test "invalid container ids are refused" {
	expect_error
	local long
	long=$(printf 'a%.0s' {1..1100})
	local id
	for id in "" "/" ".." "." "a/b" "../escape" "$(printf 'a\001b')" "$(printf 'a\nb')" "$long"; do
		: >"$NESTRUN_LOG"
		nestrun run "$id"
		[ "$status" -ne 0 ]
		grep -q '"level":"error"' "$NESTRUN_LOG"
	done
	[ -z "$(ls -A "$NESTRUN_ROOT")" ]
	[ ! -e "$ROOT/escape" ]
}

@test "invalid ids get a message that says the id is invalid" {
	expect_error
	local id
	for id in "/" ".." "a/b" "$(printf 'a\001b')"; do
		nestrun run "$id"
		[ "$status" -ne 0 ]
		assert_log_error 'invalid|container id'
	done
	nestrun run ""
	[ "$status" -ne 0 ]
	assert_log_error 'empty|invalid'
}

@test "an over-long id is refused" {
	expect_error
	local long
	long=$(printf 'a%.0s' {1..1100})
	nestrun run "$long"
	[ "$status" -ne 0 ]
	if [ -z "$NESTRUN_IS_RUNC" ]; then
		# runc 1.1.5 fails here only by accident ("lstat ...: file name too long");
		# nestrun must say what is wrong with the id.
		assert_log_error 'invalid|too long'
	fi
}

@test "valid ids with dots, dashes, underscores and plus signs work" {
	local id
	for id in a.b_c-d+e 0123 "$(printf 'x%.0s' {1..200})"; do
		nestrun run "$id"
		[ "$status" -eq 0 ]
	done
}

@test "--root is created if missing and state lives under it" {
	NESTRUN_ROOT="$ROOT/state/nested/deeper"
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	[ -d "$NESTRUN_ROOT/ct1" ]
	nestrun delete -f ct1
	[ "$status" -eq 0 ]
	rmdir "$ROOT/state/nested/deeper" "$ROOT/state/nested"
	NESTRUN_ROOT="$ROOT/state"
}

@test "--version prints a version" {
	run "$NESTRUN" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ version ]]
}

@test "--bundle points create at another directory" {
	cd /
	nestrun run --bundle "$BUNDLE" ct1
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "create with a missing bundle fails and leaves nothing" {
	expect_error
	nestrun create --bundle "$ROOT/no-such-bundle" ct1
	[ "$status" -ne 0 ]
	grep -q '"level":"error"' "$NESTRUN_LOG"
	nestrun state ct1
	[ "$status" -ne 0 ]
}
