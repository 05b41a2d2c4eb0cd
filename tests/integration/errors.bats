#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Bad input: each case a clear error, a non-zero exit, the error in --log, and
# nothing left behind (teardown's health check: no state, cgroup, mount or process).

# Error messages quote $PATH literally.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
	expect_error
}

function teardown() {
	teardown_bundle
}

@test "malformed JSON is refused and the message names the file" {
	echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	nestrun run ct1
	[ "$status" -ne 0 ]
	grep -q '"level":"error"' "$NESTRUN_LOG"
	# runc says only "unexpected EOF"; nestrun names the file.
	[ -n "$NESTRUN_IS_RUNC" ] || assert_log_error 'config\.json'
}

@test "a mistyped field is refused and the message names the field" {
	update_config '.process.args = "nr-payload"'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'args'
	[ -n "$NESTRUN_IS_RUNC" ] || assert_log_error 'config\.json'
}

@test "a mistyped nested field names its path" {
	update_config '.process.user.uid = "zero"'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'uid'
}

@test "a missing process is refused" {
	update_config 'del(.process)'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'process'
}

@test "a missing config.json is refused" {
	rm "$BUNDLE/config.json"
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'config\.json'
}

@test "a missing rootfs is refused" {
	update_config '.root.path = "no-such-rootfs"'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'no-such-rootfs'
}

@test "a missing executable: exec: \"x\": executable file not found in \$PATH" {
	set_args no-such-binary
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'exec: "no-such-binary": executable file not found in \$PATH'
	[[ "$output" == *'exec: "no-such-binary": executable file not found in $PATH'* ]]
}

@test "a missing executable fails create, not start" {
	set_args /no/such/binary
	nestrun create ct1
	[ "$status" -ne 0 ]
	assert_log_error 'no such file or directory|/no/such/binary'
	nestrun state ct1
	[ "$status" -ne 0 ]
}

@test "a non-executable file as process.args[0]" {
	echo data >"$BUNDLE/rootfs/bin/not-exec"
	chmod 644 "$BUNDLE/rootfs/bin/not-exec"
	set_args /bin/not-exec
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'permission denied|not-exec'
}

@test "a failing prestart hook: error, and nothing left behind" {
	update_config '.hooks.prestart = [{"path": "/bin/false"}]'
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -ne 0 ]
	grep -q '"level":"error"' "$NESTRUN_LOG"
	nestrun state ct1
	[ "$status" -ne 0 ]
}

@test "a relative cwd is refused" {
	update_config '.process.cwd = "relative/dir"'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'cwd|relative|absolute'
}

@test "a relative mount destination is taken from / (runtime-spec 1.1, as runc)" {
	expect_no_error
	update_config '.mounts += [{"source": "tmpfs", "destination": "relative", "type": "tmpfs"}]'
	set_args nr-payload mount-info /relative
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "$output" == "tmpfs "* ]]
}

@test "a mount of an unknown filesystem type fails cleanly" {
	update_config '.mounts += [{"source": "x", "destination": "/x", "type": "nrfs-no-such-fs"}]'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'nrfs-no-such-fs|/x'
}

@test "a bind mount of a missing source fails cleanly" {
	update_config '.mounts += [{"source": "/no/such/source", "destination": "/x", "options": ["bind"]}]'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error '/no/such/source'
}

@test "a mount that fails while create makes the cgroup: the mount's error wins" {
	# The init mounts while the parent makes and joins the cgroup (runtime/sync.h); a
	# failure there ends the init, and the parent's step then fails too (ESRCH from
	# cgroup.procs, EPIPE on the sync socket): the init's reason must be the one shown.
	# The first mount fails, long before the cgroup mount; eight runs for both orders.
	update_config '.mounts = [{"source": "/no/such/early", "destination": "/x", "options": ["bind"]}] + .mounts'
	local i
	for i in 1 2 3 4 5 6 7 8; do
		nestrun run "ct$i"
		[ "$status" -ne 0 ]
		[[ "$output" == *'"/no/such/early"'* ]] || fail "run $i: $output"
		assert_log_error '/no/such/early'
		[ ! -e "$NESTRUN_ROOT/ct$i" ] || fail "run $i left its state dir"
	done
}

@test "an unknown namespace type is refused" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	nestrun run ct1
	[ "$status" -ne 0 ]
	assert_log_error 'bogus'
}

@test "a user namespace without mappings is refused" {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]'
	nestrun run ct1
	[ "$status" -ne 0 ]
}

@test "an unknown global flag or command is refused" {
	run "$NESTRUN" --root "$NESTRUN_ROOT" --no-such-flag list
	[ "$status" -ne 0 ]
	run "$NESTRUN" --root "$NESTRUN_ROOT" no-such-command
	[ "$status" -ne 0 ]
}

@test "start of a container that is already stopped is refused" {
	set_args nr-payload exit 0
	nestrun run --keep ct1
	[ "$status" -eq 0 ]
	nestrun start ct1
	[ "$status" -ne 0 ]
}

@test "kill of a stopped container is refused" {
	set_args nr-payload exit 0
	nestrun run --keep ct1
	[ "$status" -eq 0 ]
	nestrun kill ct1 KILL
	[ "$status" -ne 0 ]
}

@test "an unknown signal name is refused" {
	set_args nr-payload pause
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	nestrun kill ct1 SIGNOPE
	[ "$status" -ne 0 ]
	testcontainer ct1 running
}
