#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# End to end: a private dockerd drives $NESTRUN as runtime "nestrun" (issue 2's list).

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load docker_helpers

function setup_file() {
	start_dockerd
}

function teardown_file() {
	stop_dockerd
}

function setup() {
	requires docker
	engine_health_begin "$DOCKER_TMP" "$DOCKER_CGROUP_PARENT"
}

function teardown() {
	local ids
	ids=$(dk ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true
	engine_health_check
}

@test "docker: the runtime is registered and runs a container" {
	run dk info --format '{{json .Runtimes}}'
	[ "$status" -eq 0 ]
	[[ "$output" == *'"nestrun"'* ]]
	dockerun -- nr-payload echo hello from docker
	[ "$status" -eq 0 ]
	[ "$output" = "hello from docker" ]
}

@test "docker: exit codes" {
	dockerun -- nr-payload exit 3
	[ "$status" -eq 3 ]
	dockerun -- sh -c 'exit 42'
	[ "$status" -eq 42 ]
	expect_error # the runtime logs the failed exec
	run -127 dk run --rm --runtime nestrun "$DOCKER_IMAGE" no-such-binary
	[[ "$output" == *'executable file not found in $PATH'* ]]
}

@test "docker: -it with a tty" {
	requires python3
	run python3 - "$DOCKER" "$DOCKER_SOCK" "$DOCKER_IMAGE" <<-'EOF'
		import os, pty, sys
		docker, sock, image = sys.argv[1:4]
		pid, fd = pty.fork()
		if pid == 0:
		    os.execv(docker, [docker, "-H", "unix://" + sock, "run", "--rm", "-it", "--runtime", "nestrun",
		                      image, "sh", "-c", "nr-payload isatty; read x; echo got:$x"])
		out = b""
		os.write(fd, b"typed\r")
		while True:
		    try:
		        data = os.read(fd, 1024)
		    except OSError:
		        break
		    if not data:
		        break
		    out += data
		_, st = os.waitpid(pid, 0)
		sys.stdout.write(out.decode(errors="replace"))
		sys.exit(os.waitstatus_to_exitcode(st))
	EOF
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"stdin=tty stdout=tty"* ]]
	[[ "$output" == *"got:typed"* ]]
}

@test "docker: -e, -w, -u 1000:1000, --hostname" {
	dockerun -e FOO=bar -w /work/dir -u 1000:1000 --hostname nr-docker-host -- \
		sh -c 'nr-payload env FOO; nr-payload cwd; nr-payload ids; nr-payload hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /work/dir ]
	[[ "${lines[2]}" == "uid=1000 gid=1000"* ]]
	[ "${lines[3]}" = nr-docker-host ]
}

@test "docker: --read-only and --tmpfs" {
	dockerun --read-only --tmpfs /scratch:size=1m,mode=1777 -- \
		sh -c 'nr-payload touch-ro /new; nr-payload mount-info /scratch; nr-payload write /scratch/f x && echo wrote'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[[ "${lines[1]}" == "tmpfs "*size=1024k* ]]
	[ "${lines[2]}" = wrote ]
}

@test "docker: -v read-write and read-only" {
	local dir="$DOCKER_TMP/vol-$BATS_TEST_NUMBER"
	mkdir -p "$dir"
	echo "from host" >"$dir/file"
	dockerun -v "$dir:/data" -v "$dir:/data-ro:ro" -- \
		sh -c 'cat /data/file; echo new >/data/new; nr-payload touch-ro /data-ro/x'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "from host" ]
	[ "${lines[1]}" = EROFS ]
	[ "$(cat "$dir/new")" = new ]
}

@test "docker: --cap-drop ALL and --cap-add" {
	dockerun --cap-drop ALL -- nr-payload caps
	[ "$status" -eq 0 ]
	[[ "$output" == *CapEff=0000000000000000* ]]
	[[ "$output" == *CapBnd=0000000000000000* ]]
	dockerun --cap-drop ALL --cap-add NET_RAW --cap-add CHOWN -- nr-payload caps
	[ "$status" -eq 0 ]
	[[ "$output" == *CapEff=0000000000002001* ]]
	[[ "$output" == *CapBnd=0000000000002001* ]]
}

@test "docker: the default capabilities" {
	dockerun -- nr-payload caps
	[ "$status" -eq 0 ]
	# Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
	# SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
	[[ "$output" == *CapEff=00000000a80425fb* ]]
}

@test "docker: --security-opt no-new-privileges" {
	dockerun -- nr-payload nnp
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	dockerun --security-opt no-new-privileges -- nr-payload nnp
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "docker: the default seccomp profile and seccomp=unconfined" {
	dockerun -- sh -c 'nr-payload seccomp-mode; nr-payload syscall-errno keyctl; nr-payload syscall-errno mkdir /tmp/d'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = EPERM ]
	[ "${lines[2]}" = OK ]
	dockerun --security-opt seccomp=unconfined -- sh -c 'nr-payload seccomp-mode; nr-payload syscall-errno keyctl'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = OK ]
}

@test "docker: --memory" {
	requires cgroup_v1
	dockerun --memory 64m -- cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$status" -eq 0 ]
	[ "$output" = 67108864 ]
}

@test "docker: --cpus" {
	requires cgroup_v1
	dockerun --cpus 0.5 -- sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 50000 ]
	[ "${lines[1]}" = 100000 ]
}

@test "docker: --pids-limit" {
	requires cgroup_v1
	dockerun --pids-limit 20 -- cat /sys/fs/cgroup/pids/pids.max
	[ "$status" -eq 0 ]
	[ "$output" = 20 ]
}

@test "docker: --device" {
	dockerun --device /dev/zero:/dev/nr-zero -- sh -c 'nr-payload stat /dev/nr-zero; head -c 3 /dev/nr-zero | wc -c'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "char "*" 1 5" ]]
	[ "${lines[1]}" = 3 ]
}

@test "docker: --privileged" {
	# runc fails here: this VM's bounding set lacks CAP_SYS_RESOURCE and runc asks
	# for every capability ("unable to apply caps").  nestrun grants the intersection.
	requires not_runc
	dockerun --privileged -- sh -c 'nr-payload caps; nr-payload seccomp-mode; mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
	[ "$status" -eq 0 ]
	# Every capability Docker asks for that the host's bounding set has: Docker
	# 20.10 knows capabilities 0..37, so that is the host's set masked to those.
	local host_bnd want eff
	host_bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	want=$(printf '%016x' $((0x$host_bnd & 0x3fffffffff)))
	eff=$(echo "$output" | sed -n 's/^CapEff=//p')
	[ "$eff" = "$want" ] || [ "$eff" = "$host_bnd" ]
	[[ "$output" == *"CapBnd=$eff"* ]]
	[ "${lines[5]}" = 0 ]
	[ "${lines[6]}" = mounted ]
	# The host's devices are there.
	[ "${lines[7]}" -gt 20 ]
}

@test "docker: --network none" {
	dockerun --network none -- ls /sys/class/net
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
}

@test "docker: --network bridge (the private bridge; only its gateway is reached)" {
	dockerun --network bridge -- sh -c 'ls /sys/class/net | tr "\n" " "; echo; ip -4 -o addr show eth0; ping -c 1 -W 5 '"$DOCKER_SUBNET"'.1 >/dev/null && echo gateway-ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "eth0 lo " ]
	[[ "${lines[1]}" == *"inet $DOCKER_SUBNET."* ]]
	[ "${lines[2]}" = gateway-ok ]
}

@test "docker: --network host" {
	dockerun --network host -- nr-payload ns net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "docker: --sysctl" {
	dockerun --sysctl net.ipv4.ip_forward=1 --sysctl kernel.msgmax=12345 -- \
		sh -c 'nr-payload sysctl net.ipv4.ip_forward; nr-payload sysctl kernel.msgmax'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 12345 ]
}

@test "docker: --ulimit" {
	dockerun --ulimit nofile=1024:2048 --ulimit nproc=500:600 -- \
		sh -c 'nr-payload rlimit NOFILE; nr-payload rlimit NPROC'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1024 2048" ]
	[ "${lines[1]}" = "500 600" ]
}

@test "docker: --init" {
	dockerun --init -- sh -c 'nr-payload pid; tr "\0" " " </proc/1/cmdline'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" != "pid=1 "* ]]
	[[ "${lines[1]}" == *docker-init* ]]
}

@test "docker: stop sends SIGTERM and the container exits 0" {
	run dk run -d --runtime nestrun --name nr-stop "$DOCKER_IMAGE" nr-payload pause
	[ "$status" -eq 0 ]
	retry 50 0.2 eval 'dk logs nr-stop 2>&1 | grep -q ready'
	local start=$SECONDS
	run dk stop -t 20 nr-stop
	[ "$status" -eq 0 ]
	[ $((SECONDS - start)) -lt 15 ]
	run dk inspect -f '{{.State.ExitCode}}' nr-stop
	[ "$output" = 0 ]
}

@test "docker: kill sends SIGKILL and the exit code is 137" {
	run dk run -d --runtime nestrun --name nr-kill "$DOCKER_IMAGE" nr-payload pause
	[ "$status" -eq 0 ]
	retry 50 0.2 eval 'dk logs nr-kill 2>&1 | grep -q ready'
	run dk kill nr-kill
	[ "$status" -eq 0 ]
	retry 50 0.2 eval '[ "$(dk inspect -f "{{.State.Status}}" nr-kill)" = exited ]'
	run dk inspect -f '{{.State.ExitCode}}' nr-kill
	[ "$output" = 137 ]
}

@test "docker: exec into a running container" {
	run dk run -d --runtime nestrun --name nr-exec "$DOCKER_IMAGE" nr-payload pause
	[ "$status" -eq 0 ]
	run dk exec -u 1000 -e BAR=baz -w /tmp nr-exec sh -c 'nr-payload ids; nr-payload env BAR; nr-payload cwd'
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "uid=1000 "* ]]
	[ "${lines[1]}" = baz ]
	[ "${lines[2]}" = /tmp ]
	run dk exec nr-exec sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "docker: pause and unpause" {
	run dk run -d --runtime nestrun --name nr-pause "$DOCKER_IMAGE" nr-payload pause
	[ "$status" -eq 0 ]
	run dk pause nr-pause
	[ "$status" -eq 0 ]
	run dk inspect -f '{{.State.Status}}' nr-pause
	[ "$output" = paused ]
	run dk unpause nr-pause
	[ "$status" -eq 0 ]
	run dk inspect -f '{{.State.Status}}' nr-pause
	[ "$output" = running ]
}
