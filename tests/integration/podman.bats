#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# podman 4.3 (Debian), rootful, with conmon driving the runtime under test:
# `podman --runtime <binary> run/exec/ps/pause/stop/rm`, and the runtime registered
# by name in containers.conf ([engine.runtimes], as `nestrun setup podman` writes it).
# Private --root/--runroot/--tmpdir, vfs storage, no network, a locally imported image.
# NESTRUN=/usr/sbin/runc runs the file against runc.

load helpers
load engine_helpers

IMAGE=localhost/nr-busybox:latest

function setup_file() {
	eng_requires root podman
	eng_mkdir
	export ENG_CGROUP="nr-eng-podman-$$"
	mkdir -p "$ENG_DIR/pm"
	# our containers.conf only: the runtime by name, cgroupfs, file events
	cat >"$ENG_DIR/pm/containers.conf" <<-EOF
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		[engine.runtimes]
		nestrun = ["$NR_RUNTIME_BIN"]
	EOF
	if [ -n "$NESTRUN_IS_RUNC" ]; then
		# runc fails podman's default RLIMIT_NOFILE/NPROC (1048576 / 4194304, above this machine's hard
		# limit, which it may not raise without CAP_SYS_RESOURCE); nestrun clamps it.
		# Give the oracle a limit it can set, so the rest of its behaviour is compared.
		printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >>"$ENG_DIR/pm/containers.conf"
	fi
	eng_rootfs_tar "$ENG_DIR/rootfs.tar"
	CONTAINERS_CONF="$ENG_DIR/pm/containers.conf" podman --root "$ENG_DIR/pm/root" --runroot "$ENG_DIR/pm/runroot" \
		--tmpdir "$ENG_DIR/pm/tmp" --storage-driver vfs \
		import --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$ENG_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

function teardown_file() {
	[ -n "${ENG_DIR:-}" ] || return 0
	__podman --runtime "$NR_RUNTIME_BIN" rm -a -f -t 0 >/dev/null 2>&1
	eng_reap "$ENG_DIR/pm"
	eng_rm_cgroup "$ENG_CGROUP"
	rm -rf "$ENG_DIR"
}

function setup() {
	eng_requires root podman
	CT="nr-pm-$BATS_TEST_NUMBER"
	engine_health_begin "$ENG_DIR" "$ENG_CGROUP"
}

function teardown() {
	__podman rm -f -t 0 "$CT" >/dev/null 2>&1 || true
	engine_health_check
}

function __podman() {
	CONTAINERS_CONF="$ENG_DIR/pm/containers.conf" podman --root "$ENG_DIR/pm/root" --runroot "$ENG_DIR/pm/runroot" \
		--tmpdir "$ENG_DIR/pm/tmp" --storage-driver vfs --runtime "$NR_RUNTIME_BIN" "$@"
}

# podman ARGS: status/output set; the runtime's warnings (e.g. the clamped
# RLIMIT_NOFILE) go to stderr, so output is stdout only.
function pm() {
	run bash -c '__podman "$@" 2>"$ENG_DIR/pm/stderr"' bash "$@"
	echo "podman $* (status=$status):" >&2
	echo "$output" >&2
	cat "$ENG_DIR/pm/stderr" >&2
}
export -f __podman

function start_sleeper() {
	pm run -d --name "$CT" --network none --cgroup-parent "/$ENG_CGROUP" "$IMAGE" sh -c 'echo started; exec sleep 1000'
	[ "$status" -eq 0 ]
}

@test "podman --runtime BINARY run: output, exit code" {
	pm run --rm --network none --cgroup-parent "/$ENG_CGROUP" "$IMAGE" echo hello-podman
	[ "$status" -eq 0 ]
	[ "$output" = hello-podman ]
	pm run --rm --network none --cgroup-parent "/$ENG_CGROUP" "$IMAGE" sh -c 'exit 13'
	[ "$status" -eq 13 ]
	expect_error # the runtime logs the failed exec
	pm run --rm --network none --cgroup-parent "/$ENG_CGROUP" "$IMAGE" no-such-binary
	[ "$status" -eq 127 ]
}

@test "podman's default RLIMIT_NOFILE above the hard limit is clamped, with a warning" {
	requires not_runc
	local hard
	hard=$(ulimit -Hn)
	pm run --rm --network none --cgroup-parent "/$ENG_CGROUP" "$IMAGE" sh -c 'ulimit -Hn'
	[ "$status" -eq 0 ]
	[ "$output" -le "$hard" ]
	if [ "$hard" -lt 1048576 ]; then
		grep -q 'RLIMIT_NOFILE' "$ENG_DIR/pm/stderr"
	fi
}

@test "the runtime named in containers.conf: podman --runtime nestrun" {
	run bash -c 'CONTAINERS_CONF="$ENG_DIR/pm/containers.conf" podman --root "$ENG_DIR/pm/root" --runroot "$ENG_DIR/pm/runroot" --tmpdir "$ENG_DIR/pm/tmp" --storage-driver vfs --runtime nestrun info --format "{{.Host.OCIRuntime.Path}}"'
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "$NR_RUNTIME_BIN" ]
}

@test "podman exec: output, exit code, tty" {
	start_sleeper
	pm exec "$CT" sh -c 'echo exec-ok; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = exec-ok ]
	pm exec -u 1000 -w /tmp -e NR=v "$CT" sh -c 'echo "$(id -u) $(pwd) $NR"'
	[ "$output" = "1000 /tmp v" ]
	eng_requires script
	# script(1) runs its command with $SHELL; dash (CI's /bin/sh) drops exported
	# bash functions, so name bash here.
	run env SHELL=/bin/bash timeout 60 script -qec "bash -c '__podman exec -it $CT tty'" /dev/null
	echo "$output" >&2
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "podman ps, top, pause/unpause" {
	start_sleeper
	pm ps --format '{{.Names}}'
	[[ "$output" == *"$CT"* ]]
	pm inspect -f '{{.State.Status}}' "$CT"
	[ "$output" = running ]
	pm top "$CT" pid args
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
	pm pause "$CT"
	[ "$status" -eq 0 ]
	pm inspect -f '{{.State.Status}}' "$CT"
	[ "$output" = paused ]
	[ "$(cat "/sys/fs/cgroup/freezer/$ENG_CGROUP/$(__podman inspect -f '{{.Id}}' "$CT" 2>/dev/null)/freezer.state" 2>/dev/null ||
		echo FROZEN)" = FROZEN ]
	pm unpause "$CT"
	[ "$status" -eq 0 ]
	pm exec "$CT" echo alive
	[ "$output" = alive ]
}

@test "podman stop, logs, rm" {
	start_sleeper
	pm stop -t 1 "$CT"
	[ "$status" -eq 0 ]
	pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$CT"
	[ "$output" = "exited 137" ]
	pm logs "$CT"
	[ "$output" = started ]
	pm rm "$CT"
	[ "$status" -eq 0 ]
	pm ps -a -q --filter "name=$CT"
	[ -z "$output" ]
	run "$NESTRUN" --root "$ENG_DIR/pm/runroot/$(basename "$NR_RUNTIME_BIN")" list -q
	[ -z "$output" ]
}
