#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Docker, end to end through the runtime under test, beyond `docker run` (whose flags
# docker.bats covers): exec (with and without a tty), top, pause/unpause, update,
# stats, restart, logs, wait, exit codes, OOM.  One private dockerd for the file,
# with the runtime registered in daemon.json `runtimes` and as `default-runtime`.
# NESTRUN=/usr/sbin/runc runs the same file against runc, the oracle.

load helpers
load engine_helpers

IMAGE=nr-busybox:latest

function setup_file() {
	eng_requires root dockerd
	eng_mkdir
	export ENG_CGROUP="nr-eng-docker-$$"
	eng_dockerd_start "$ENG_DIR/docker" "$(eng_daemon_json "/$ENG_CGROUP" '{"default-runtime": "nestrun"}')"
	eng_rootfs_tar "$ENG_DIR/rootfs.tar"
	"$DOCKER" import -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$ENG_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

function teardown_file() {
	[ -n "${ENG_DIR:-}" ] || return 0
	eng_dockerd_stop "$ENG_DIR/docker"
	eng_rm_cgroup "$ENG_CGROUP"
	rm -rf "$ENG_DIR"
}

function setup() {
	eng_requires root dockerd
	export DOCKER_HOST="unix://$ENG_DIR/docker/docker.sock"
	CT="nr-ops-$BATS_TEST_NUMBER"
	engine_health_begin "$ENG_DIR" "$ENG_CGROUP"
}

function teardown() {
	"$DOCKER" rm -f "$CT" >/dev/null 2>&1 || true
	engine_health_check
}

# docker CMD... with its status and output logged (bats shows them on failure).
function docker() {
	run "$DOCKER" "$@"
	echo "docker $* (status=$status):" >&2
	echo "$output" >&2
}

function start_sleeper() {
	docker run -d --name "$CT" "$@" "$IMAGE" sh -c 'echo started; exec sleep 1000'
	[ "$status" -eq 0 ]
}

function cgroup_of() {
	local id
	id=$("$DOCKER" inspect -f '{{.Id}}' "$CT")
	echo "/sys/fs/cgroup/$1/$ENG_CGROUP/$id"
}

@test "default-runtime: a plain docker run goes through the runtime under test" {
	start_sleeper
	[ "$("$DOCKER" inspect -f '{{.HostConfig.Runtime}}' "$CT")" = nestrun ]
	local id pid
	id=$("$DOCKER" inspect -f '{{.Id}}' "$CT")
	pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$CT")
	# the shim ran our binary: its state is under the moby runtime root
	run bash -c "'$NESTRUN' --root '$ENG_DIR'/docker/exec/runtime-*/moby state '$id'"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .pid)" = "$pid" ]
	[ "$(echo "$output" | jq -r .status)" = running ]
}

@test "docker run --runtime nestrun (daemon.json runtimes): output and exit codes" {
	docker run --rm --runtime nestrun "$IMAGE" echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]

	docker run --rm --runtime nestrun "$IMAGE" sh -c 'exit 42'
	[ "$status" -eq 42 ]

	expect_error # the runtime logs the failed exec
	docker run --rm --runtime nestrun "$IMAGE" no-such-binary
	[ "$status" -eq 127 ]
	[[ "$output" == *'exec: "no-such-binary": executable file not found in $PATH'* ]]

	# docker's cli matches runc's (Go's) lowercase errno text to pick 126 / 127
	docker run --rm --runtime nestrun "$IMAGE" /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]

	docker run --rm --runtime nestrun "$IMAGE" /no/such/file
	[ "$status" -eq 127 ]
}

@test "docker exec: output, exit code, -e -w -u" {
	start_sleeper
	docker exec "$CT" echo exec-ok
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]

	docker exec "$CT" sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[[ "$output" == *out* ]] && [[ "$output" == *err* ]]

	docker exec -e NR_VAR=value -w /tmp -u 1000:1000 "$CT" sh -c 'echo "$NR_VAR $(pwd) $(id -u):$(id -g)"'
	[ "$status" -eq 0 ]
	[ "$output" = "value /tmp 1000:1000" ]

	# the exec joins the container's pid namespace
	docker exec "$CT" cat /proc/1/cmdline
	[[ "$output" == sleep* ]]

	# docker exec maps every failure to start the process to 126 (runc alike)
	expect_error # the runtime logs the failed exec
	docker exec "$CT" no-such-binary
	[ "$status" -eq 126 ]
	[[ "$output" == *'exec: "no-such-binary": executable file not found in $PATH'* ]]
}

@test "docker exec -it gets a terminal" {
	eng_requires script
	start_sleeper
	run timeout 60 script -qec "$DOCKER exec -it $CT sh -c 'tty; test -t 0 && echo tty-ok; exit 5'" /dev/null
	echo "$output" >&2
	[ "$status" -eq 5 ]
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *tty-ok* ]]

	# without -t: no terminal
	docker exec "$CT" sh -c 'test -t 0 || echo notty'
	[ "$output" = notty ]
}

@test "docker run -it: the init's terminal does not hold create's output open" {
	eng_requires script
	# regression: with process.terminal the shim waits for EOF on create's output;
	# an init that kept create's stdio until start deadlocked every `docker run -it`.
	run timeout 60 script -qec "$DOCKER run --rm -it --name $CT $IMAGE sh -c 'tty; echo tty-ok'" /dev/null
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *tty-ok* ]]
}

@test "docker top lists the container's processes" {
	start_sleeper
	docker exec -d "$CT" sleep 999
	retry 20 0.1 bash -c "'$DOCKER' top '$CT' | grep -q 'sleep 999'"
	docker top "$CT"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
	[[ "$output" == *"sleep 999"* ]]
	docker top "$CT" -o pid,comm
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "docker pause / unpause freeze and thaw the container" {
	start_sleeper
	docker pause "$CT"
	[ "$status" -eq 0 ]
	[ "$("$DOCKER" inspect -f '{{.State.Status}}' "$CT")" = paused ]
	[ "$(cat "$(cgroup_of freezer)/freezer.state")" = FROZEN ]

	docker exec "$CT" true
	[ "$status" -ne 0 ]
	[[ "$output" == *paused* ]]

	docker unpause "$CT"
	[ "$status" -eq 0 ]
	[ "$("$DOCKER" inspect -f '{{.State.Status}}' "$CT")" = running ]
	[ "$(cat "$(cgroup_of freezer)/freezer.state")" = THAWED ]
	docker exec "$CT" echo alive
	[ "$output" = alive ]
}

@test "docker update --memory --cpus changes the cgroup" {
	start_sleeper
	docker update --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50 "$CT"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_of memory)/memory.limit_in_bytes")" -eq 67108864 ]
	[ "$(cat "$(cgroup_of memory)/memory.memsw.limit_in_bytes" 2>/dev/null || echo 134217728)" -eq 134217728 ]
	[ "$(cat "$(cgroup_of cpu)/cpu.cfs_quota_us")" -eq 50000 ]
	[ "$(cat "$(cgroup_of cpu)/cpu.cfs_period_us")" -eq 100000 ]
	[ "$(cat "$(cgroup_of pids)/pids.max")" -eq 50 ]
	[ "$("$DOCKER" inspect -f '{{.HostConfig.Memory}}' "$CT")" -eq 67108864 ]
	# and the container lives on
	docker exec "$CT" echo alive
	[ "$output" = alive ]
}

@test "docker stats --no-stream reports memory, limit and pids" {
	start_sleeper --memory 64m
	docker stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' "$CT"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^$CT\ [0-9.]+[KMG]?i?B\ /\ 64MiB\ 1$ ]]
}

@test "docker restart, logs" {
	start_sleeper
	local pid1 pid2
	pid1=$("$DOCKER" inspect -f '{{.State.Pid}}' "$CT")
	docker restart -t 1 "$CT"
	[ "$status" -eq 0 ]
	pid2=$("$DOCKER" inspect -f '{{.State.Pid}}' "$CT")
	[ "$pid1" != "$pid2" ]
	[ "$("$DOCKER" inspect -f '{{.State.Running}}' "$CT")" = true ]
	docker exec "$CT" echo after-restart
	[ "$output" = after-restart ]

	docker logs "$CT"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^started$' <<<"$output")" -eq 2 ]
}

@test "docker logs keeps stdout and stderr apart" {
	docker run --name "$CT" "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2'
	[ "$status" -eq 0 ]
	run bash -c "'$DOCKER' logs '$CT' 2>/dev/null"
	[ "$output" = to-stdout ]
	run bash -c "'$DOCKER' logs '$CT' 2>&1 >/dev/null"
	[ "$output" = to-stderr ]
}

@test "docker wait returns the exit code; stop reports the signal" {
	docker run -d --name "$CT" "$IMAGE" sh -c 'sleep 1; exit 3'
	[ "$status" -eq 0 ]
	docker wait "$CT"
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
	[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CT")" -eq 3 ]

	"$DOCKER" rm -f "$CT" >/dev/null
	# pid 1 without a SIGTERM handler ignores it: stop ends with SIGKILL, 137
	start_sleeper
	docker stop -t 1 "$CT"
	[ "$status" -eq 0 ]
	[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CT")" -eq 137 ]
	# a shell that traps it exits on SIGTERM
	"$DOCKER" rm -f "$CT" >/dev/null
	docker run -d --name "$CT" "$IMAGE" sh -c 'trap "exit 21" TERM; while :; do sleep 0.1; done'
	docker stop -t 10 "$CT"
	[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CT")" -eq 21 ]
}

@test "an OOM kill is reported as OOMKilled" {
	docker run --name "$CT" --memory 32m --memory-swap 32m "$IMAGE" sh -c 'tail /dev/zero'
	[ "$status" -eq 137 ]
	[ "$("$DOCKER" inspect -f '{{.State.OOMKilled}}' "$CT")" = true ]
	[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CT")" -eq 137 ]
}

@test "docker rm -f of a running and of a paused container leaves nothing behind" {
	start_sleeper
	local id
	id=$("$DOCKER" inspect -f '{{.Id}}' "$CT")
	docker pause "$CT"
	docker rm -f "$CT"
	[ "$status" -eq 0 ]
	run bash -c "ls -d '$ENG_DIR'/docker/exec/runtime-*/moby/'$id' 2>/dev/null"
	[ -z "$output" ]
	[ ! -d "/sys/fs/cgroup/memory/$ENG_CGROUP/$id" ]
	[ ! -d "/sys/fs/cgroup/freezer/$ENG_CGROUP/$id" ]
}
