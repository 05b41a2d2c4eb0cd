#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Bad input to the operations engines call after create (issue 3): garbage on
# `update --resources -`, a `--process` file of the wrong shape, signals that do not
# exist, exec into a missing container, pause of a stopped one.  Each must fail with a
# non-zero status and a clear error naming what was wrong, end --log with a
# "level":"error" line (what containerd shows), and leave the container as it was.
# The same tests pass with NESTRUN=/usr/sbin/runc; only the wording differs.

load helpers

function setup() {
	setup_bundle
	set_args nr-payload pause
	nestrun run -d ct
	[ "$status" -eq 0 ]
	testcontainer ct running
}

function teardown() {
	teardown_bundle
}

# Pick the expected message: ours, or runc's where the oracle words it otherwise.
function msg() {
	if [ -n "$NESTRUN_IS_RUNC" ]; then echo "$2"; else echo "$1"; fi
}

# The container is still running, with its memory limit untouched.
function unchanged() {
	testcontainer ct running
	[ "$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")" = "$MEM_BEFORE" ]
}

function update_stdin() {
	run bash -c 'printf "%s" "$1" | "$2" --root "$3" --log "$4" --log-format json update --resources - ct' \
		bash "$1" "$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG"
	echo "update --resources - <<<'$1' (status=$status): $output" >&2
}

@test "update --resources -: garbage on stdin" {
	requires cgroup_v1
	MEM_BEFORE=$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")
	expect_error
	update_stdin 'garbage'
	[ "$status" -ne 0 ]
	[[ "$output" =~ $(msg 'resources \(stdin\): invalid JSON' 'invalid character') ]]
	assert_log_error "$(msg 'resources \(stdin\): invalid JSON' 'invalid character')"
	unchanged

	update_stdin '{"memory": {"limit": "lots"}}'
	[ "$status" -ne 0 ]
	[[ "$output" == *memory.limit* ]]
	assert_log_error 'memory.limit'
	unchanged

	update_stdin '[1, 2]'
	[ "$status" -ne 0 ]
	unchanged

	update_stdin ''
	[ "$status" -ne 0 ]
	unchanged
}

@test "update --resources FILE: a missing file, a limit of the wrong sign" {
	requires cgroup_v1
	MEM_BEFORE=$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")
	expect_error
	nestrun update --resources "$ROOT/no-such.json" ct
	[ "$status" -ne 0 ]
	[[ "$output" == *no-such.json* ]]
	assert_log_error 'no-such.json'
	unchanged

	nestrun update --memory lots ct
	[ "$status" -ne 0 ]
	unchanged
}

@test "exec --process: a file of the wrong shape names the file and the field" {
	expect_error
	echo '[1, 2]' >"$ROOT/array.json"
	nestrun exec --process "$ROOT/array.json" ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'array.json: expected a JSON object, got array' 'cannot unmarshal array')"

	echo '{"args": "sh", "cwd": "/"}' >"$ROOT/args.json"
	nestrun exec --process "$ROOT/args.json" ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'args.json: "args": expected array, got string' 'Process.args')"

	echo '{"args": ["true"], "cwd": "/", "user": {"uid": -1}}' >"$ROOT/uid.json"
	nestrun exec --process "$ROOT/uid.json" ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'user.uid' 'uid')"

	echo '{"args": ["true"], "cwd": "/"' >"$ROOT/truncated.json"
	nestrun exec --process "$ROOT/truncated.json" ct
	[ "$status" -ne 0 ]

	nestrun exec --process "$ROOT/no-such.json" ct
	[ "$status" -ne 0 ]
	assert_log_error 'no-such.json'
	testcontainer ct running
}

@test "kill: signals that do not exist" {
	expect_error
	local sig
	for sig in SIGFOO FOO 99 -1 SIGRTMAX+1 'KILL '; do
		nestrun kill ct "$sig"
		[ "$status" -ne 0 ]
		[ -n "$NESTRUN_IS_RUNC" ] || [[ "$output" == *"invalid signal \"$sig\""* ]]
	done
	assert_log_error "$(msg 'invalid signal' 'unknown signal|invalid argument')"
	testcontainer ct running
	# names and numbers that do exist work, with and without SIG
	nestrun kill ct 0
	[ "$status" -eq 0 ]
	nestrun kill ct SIGCONT
	[ "$status" -eq 0 ]
	nestrun kill ct cont
	[ "$status" -eq 0 ]
	testcontainer ct running
	# an empty signal is the default, SIGTERM (runc's reading)
	nestrun kill ct ''
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct stopped
}

@test "exec into a missing container" {
	expect_error
	nestrun exec nosuch true
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]]
	assert_log_error "$(msg 'container "nosuch" does not exist' 'container does not exist')"
	echo '{"args": ["true"], "cwd": "/"}' >"$ROOT/p.json"
	nestrun exec --process "$ROOT/p.json" nosuch
	[ "$status" -ne 0 ]
	assert_log_error 'does not exist'
	[ ! -e "$NESTRUN_ROOT/nosuch" ]
}

@test "pause / resume / exec of a stopped container" {
	expect_error
	nestrun kill ct KILL
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct stopped

	nestrun pause ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'cannot pause a container that is stopped' 'not running')"
	testcontainer ct stopped

	nestrun resume ct
	[ "$status" -ne 0 ]
	testcontainer ct stopped

	nestrun exec ct true
	[ "$status" -ne 0 ]
	testcontainer ct stopped
}

@test "resume of a running container, pause twice, exec into a paused one" {
	expect_error
	nestrun resume ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'resume' 'not paused')"
	testcontainer ct running

	nestrun pause ct
	[ "$status" -eq 0 ]
	testcontainer ct paused
	nestrun exec ct true
	[ "$status" -ne 0 ]
	assert_log_error 'paused'
	testcontainer ct paused
	nestrun resume ct
	[ "$status" -eq 0 ]
	testcontainer ct running
}

@test "pause / update / kill of a missing container" {
	expect_error
	nestrun pause nosuch
	[ "$status" -ne 0 ]
	assert_log_error 'does not exist'
	nestrun update --memory 1000000 nosuch
	[ "$status" -ne 0 ]
	nestrun kill nosuch KILL
	[ "$status" -ne 0 ]
	assert_log_error 'does not exist'
	nestrun ps nosuch
	[ "$status" -ne 0 ]
}

@test "exec: values that are no numbers, a --cgroup that names no controller" {
	expect_error
	local args
	for args in "-u 1000:abc" "-u abc" "--additional-gids abc" "--preserve-fds abc"; do
		# shellcheck disable=SC2086 # one flag and its value
		nestrun exec $args ct true
		[ "$status" -ne 0 ]
		[[ "$output" =~ abc ]]
	done
	assert_log_error "$(msg '--preserve-fds: invalid value "abc"' 'invalid value "abc" for flag -preserve-fds')"
	nestrun exec --cgroup nosuch:sub ct true
	[ "$status" -ne 0 ]
	assert_log_error 'unknown controller "?nosuch'
	nestrun exec --cgroup memory:sub --cgroup sub ct true
	[ "$status" -ne 0 ]
	assert_log_error 'missing <controller>: prefix'
	# a failure of exec itself is 255, not a status the process could have
	nestrun exec ct no-such-command
	[ "$status" -eq 255 ]
	assert_log_error 'executable file not found'
	testcontainer ct running
}

@test "update: values that are no numbers change nothing" {
	requires cgroup_v1
	MEM_BEFORE=$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")
	local pids_before
	pids_before=$(cat "$(cgroup_dir pids)/pids.max")
	expect_error
	local args
	for args in "--cpu-share abc" "--pids-limit abc" "--cpu-quota 1.5" "--cpu-period -5" "--memory 12x"; do
		# shellcheck disable=SC2086 # one flag and its value
		nestrun update --memory 100M $args ct
		[ "$status" -ne 0 ]
		unchanged
		[ "$(cat "$(cgroup_dir pids)/pids.max")" = "$pids_before" ]
	done
	assert_log_error "$(msg '--memory: invalid value "12x"' 'invalid value for memory')"
}

@test "ps, events and update of a stopped container; an unknown ps format; a bad --interval" {
	expect_error
	nestrun ps --format xml ct
	[ "$status" -ne 0 ]
	assert_log_error 'invalid format option'
	nestrun events --interval soon ct
	[ "$status" -ne 0 ]
	[[ "$output" == *soon* ]]
	# a Go duration: a number needs its unit
	nestrun events --interval 5 ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'invalid --interval "5"' 'invalid value "5" for flag -interval')"
	nestrun events --interval 0s ct
	[ "$status" -ne 0 ]
	assert_log_error 'interval must be greater than 0'
	nestrun kill ct KILL
	[ "$status" -eq 0 ]
	wait_for_container 50 0.1 ct stopped
	nestrun update --memory 100M ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'cannot update a container that is stopped' 'not running')"
	nestrun events --stats ct
	[ "$status" -ne 0 ]
	assert_log_error "$(msg 'cannot get stats of a container that is stopped' 'is not running')"
	testcontainer ct stopped
}
