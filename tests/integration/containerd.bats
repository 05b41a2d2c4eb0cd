#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd 1.6 (Debian) with the runc v2 shim driving the runtime under test through
# `ctr run --runc-binary` (and a config written by `nestrun setup containerd`):
# run, task exec, ps, pause/resume, kill, metrics.  A private containerd per file;
# the image is a docker-save tarball (docker import of the test rootfs) imported
# with `ctr image import`.  NESTRUN=/usr/sbin/runc runs the file against runc.

load helpers
load engine_helpers

IMAGE=docker.io/library/nr-busybox:latest

function setup_file() {
	eng_requires root containerd dockerd
	eng_mkdir
	export ENG_NS="nr-eng-ctd-$$"
	mkdir -p "$ENG_DIR/ctd"
	eng_containerd_config "$ENG_DIR/ctd" io.containerd.grpc.v1.cri >"$ENG_DIR/ctd/config.toml"
	eng_containerd_start "$ENG_DIR/ctd"
	eng_rootfs_tar "$ENG_DIR/rootfs.tar"
	eng_image_tar nr-busybox:latest "$ENG_DIR/rootfs.tar" "$ENG_DIR/image.tar" -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin'
	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" image import "$ENG_DIR/image.tar" >/dev/null
}

function teardown_file() {
	[ -n "${ENG_DIR:-}" ] || return 0
	eng_containerd_stop "$ENG_DIR/ctd"
	eng_rm_cgroup "$ENG_NS"
	rm -rf "$ENG_DIR"
}

function setup() {
	eng_requires root containerd
	CT="ct-$BATS_TEST_NUMBER"
	# the runtime's state root: private (the shim's default is /run/containerd/runc/<ns>)
	RUNC_ROOT="$ENG_DIR/runtime-root"
	engine_health_begin "$ENG_DIR" "$ENG_NS"
}

function teardown() {
	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" task kill -s KILL "$CT" >/dev/null 2>&1
	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" task rm -f "$CT" >/dev/null 2>&1
	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" container rm "$CT" >/dev/null 2>&1
	engine_health_check
}

function ctr() {
	run "$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" "$@"
	echo "ctr $* (status=$status):" >&2
	echo "$output" >&2
}

function run_sleeper() {
	ctr run -d --runc-binary "$NR_RUNTIME_BIN" --runc-root "$RUNC_ROOT" "$IMAGE" "$CT" sh -c 'exec sleep 1000'
	[ "$status" -eq 0 ]
}

function task_status() {
	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" task ls | awk -v t="$CT" '$1 == t {print $3}'
}

@test "the docker-save image imported" {
	ctr image ls -q
	[[ "$output" == *"$IMAGE"* ]]
}

@test "ctr run --runc-binary: output and exit code" {
	ctr run --rm --runc-binary "$NR_RUNTIME_BIN" --runc-root "$RUNC_ROOT" "$IMAGE" "$CT" echo hello-ctr
	[ "$status" -eq 0 ]
	[ "$output" = hello-ctr ]
	ctr run --rm --runc-binary "$NR_RUNTIME_BIN" --runc-root "$RUNC_ROOT" "$IMAGE" "$CT" sh -c 'exit 9'
	[ "$status" -eq 9 ]
}

@test "the shim really runs the runtime under test" {
	run_sleeper
	local pid
	pid=$("$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" task ls | awk -v t="$CT" '$1 == t {print $2}')
	run "$NESTRUN" --root "$RUNC_ROOT/$ENG_NS" state "$CT"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .pid)" = "$pid" ]
}

@test "ctr task exec: output, exit code, tty" {
	run_sleeper
	ctr task exec --exec-id e1 "$CT" sh -c 'echo exec-ok; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = exec-ok ]
	ctr task exec --exec-id e2 --user 1000 "$CT" id -u
	[ "$output" = 1000 ]
	ctr task exec --exec-id e3 --cwd /tmp "$CT" pwd
	[ "$output" = /tmp ]
	expect_error # the runtime logs the failed exec
	ctr task exec --exec-id e4 "$CT" no-such-binary
	[ "$status" -ne 0 ]
	[[ "$output" == *'exec: "no-such-binary": executable file not found in $PATH'* ]]
	eng_requires script
	run timeout 60 script -qec "$CTR -a $ENG_DIR/ctd/containerd.sock -n $ENG_NS task exec -t --exec-id e5 $CT tty" /dev/null
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "ctr task ps lists the pids (runtime ps --format json)" {
	run_sleeper
	ctr task exec -d --exec-id bg "$CT" sleep 999 # -d: detach
	local pid
	pid=$("$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" task ls | awk -v t="$CT" '$1 == t {print $2}')
	retry 20 0.1 bash -c "'$CTR' -a '$ENG_DIR/ctd/containerd.sock' -n '$ENG_NS' task ps '$CT' | tail -n +2 | wc -l | grep -qx 2"
	ctr task ps "$CT"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$pid"* ]]
	[ "$(tail -n +2 <<<"$output" | wc -l)" -eq 2 ]
}

@test "ctr task pause / resume" {
	run_sleeper
	ctr task pause "$CT"
	[ "$status" -eq 0 ]
	[ "$(task_status)" = PAUSED ]
	[ "$(cat "/sys/fs/cgroup/freezer/$ENG_NS/$CT/freezer.state")" = FROZEN ]
	ctr task resume "$CT"
	[ "$status" -eq 0 ]
	[ "$(task_status)" = RUNNING ]
	ctr task exec --exec-id after "$CT" echo alive
	[ "$output" = alive ]
}

@test "ctr task kill: signals and exit status" {
	ctr run -d --runc-binary "$NR_RUNTIME_BIN" --runc-root "$RUNC_ROOT" "$IMAGE" "$CT" \
		sh -c 'trap "exit 12" USR1; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	sleep 0.3
	ctr task kill -s SIGUSR1 "$CT"
	[ "$status" -eq 0 ]
	retry 50 0.1 bash -c "'$CTR' -a '$ENG_DIR/ctd/containerd.sock' -n '$ENG_NS' task ls | grep -q '$CT.*STOPPED'"
	ctr task delete "$CT"
	[[ "$output" == *"12"* ]]

	"$CTR" -a "$ENG_DIR/ctd/containerd.sock" -n "$ENG_NS" container rm "$CT" >/dev/null
	run_sleeper
	ctr task kill -s KILL "$CT"
	retry 50 0.1 bash -c "'$CTR' -a '$ENG_DIR/ctd/containerd.sock' -n '$ENG_NS' task ls | grep -q '$CT.*STOPPED'"
	ctr task delete "$CT"
	[[ "$output" == *"137"* ]]
}

@test "ctr task metrics reads the container's cgroup" {
	ctr run -d --runc-binary "$NR_RUNTIME_BIN" --runc-root "$RUNC_ROOT" --memory-limit 67108864 "$IMAGE" "$CT" sleep 1000
	[ "$status" -eq 0 ]
	ctr task metrics "$CT"
	[ "$status" -eq 0 ]
	[[ "$output" =~ memory.limit_in_bytes\ +67108864 ]] || [[ "$output" =~ memory.limit\ +67108864 ]]
	[[ "$output" =~ pids.current\ +1 ]]
	ctr task metrics --format json "$CT"
	[ "$status" -eq 0 ]
}

@test "nestrun setup containerd writes a config containerd 1.6 loads (BinaryName)" {
	local conf="$ENG_DIR/setup-config.toml"
	eng_containerd_config "$ENG_DIR/setup-ctd" >"$conf"
	run "$NESTRUN" setup containerd --config "$conf" --path /usr/local/sbin/nestrun
	echo "$output" >&2
	if [ -n "$NESTRUN_IS_RUNC" ]; then
		skip "runc has no setup command"
	fi
	[ "$status" -eq 0 ]
	run "$CONTAINERD" --config "$conf" config dump
	[ "$status" -eq 0 ]
	grep -A30 '^ *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nestrun\]' <<<"$output" >"$ENG_DIR/dump"
	grep -q 'runtime_type = "io.containerd.runc.v2"' "$ENG_DIR/dump"
	grep -q 'BinaryName = "/usr/local/sbin/nestrun"' "$ENG_DIR/dump"
}
