#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `exec` (issue 3): the inline form with runc's flags, and --process FILE (what
# containerd-shim passes).  The new process joins every namespace of the container and
# its cgroup, gets the container's seccomp filter and, in the inline form, the
# container's process settings unless a flag overrides them; exec's exit status is the
# process's, and its stdio is exec's.
# NESTRUN=/usr/sbin/runc passes the same tests but those marked nestrun-only (not_runc).

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

# Write $ROOT/process.json: a process running $1 (a shell script) as root in /,
# with PATH, edited by the jq filter $2.
function process_json() {
	jq -n --arg script "$1" '{"args": ["sh", "-c", $script], "cwd": "/", "user": {"uid": 0, "gid": 0},
		"env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' | jq "${2:-.}" >"$ROOT/process.json"
}

# The namespace inodes of pid $1, one "name:[inode]" line each.
function ns_of() {
	local n
	for n in "${@:2}"; do
		readlink "/proc/$1/ns/$n"
	done
}

@test "exec runs a command in the container and its exit status is exec's" {
	start_ct
	nestrun exec ct nr-payload echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	nestrun exec ct nr-payload exit 42
	[ "$status" -eq 42 ]
	nestrun exec ct false
	[ "$status" -eq 1 ]
	# death by signal is 128+N, as a shell reports it
	nestrun exec ct nr-payload kill-self 9
	[ "$status" -eq 137 ]
	testcontainer ct running
}

@test "exec passes stdin, stdout and stderr through, each to its own" {
	start_ct
	run bash -c 'echo "from stdin" | "$1" --root "$2" --log "$3" exec ct sh -c "cat; echo to-stderr >&2" 2>"$4"' \
		bash "$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG" "$ROOT/stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "from stdin" ]
	[ "$(cat "$ROOT/stderr")" = to-stderr ]
}

@test "the exec'd process joins the container's namespaces and cgroups" {
	start_ct
	nestrun exec -d --pid-file "$ROOT/exec.pid" ct nr-payload pause
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/exec.pid")
	[ "$pid" != "$INIT_PID" ]
	[ "$(ns_of "$pid" pid net ipc uts mnt)" = "$(ns_of "$INIT_PID" pid net ipc uts mnt)" ]
	# ...which are not ours
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	diff "/proc/$INIT_PID/cgroup" "/proc/$pid/cgroup"
	# inside, it sees the container's pid 1
	nestrun exec ct nr-payload pid
	[ "$status" -eq 0 ]
	[[ "$output" == "pid="[0-9]*" ppid=0" ]]
	nestrun exec ct nr-payload cat /proc/1/comm
	[ "$output" = nr-payload ]
}

@test "the exec'd process joins the user and cgroup namespaces too" {
	requires userns cgroupns
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}, {"type": "cgroup"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	start_ct
	nestrun exec -d --pid-file "$ROOT/exec.pid" ct nr-payload pause
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/exec.pid")
	[ "$(ns_of "$pid" user cgroup pid net ipc uts mnt)" = "$(ns_of "$INIT_PID" user cgroup pid net ipc uts mnt)" ]
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	[ "$(readlink "/proc/$pid/ns/cgroup")" != "$(readlink /proc/self/ns/cgroup)" ]
	# root in the container is uid 100000 outside
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 100000 ]
	nestrun exec ct sh -c 'nr-payload ids; cat /proc/self/uid_map; nr-payload cgroup'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "uid=0 gid=0"* ]]
	[[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
	# the cgroup namespace's root is the container's cgroup
	grep -q '^0::/$' <<<"$output"
}

@test "the exec'd process joins the time namespace (nestrun only: runc 1.1.5 has none)" {
	requires not_runc timens
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	start_ct
	nestrun exec ct nr-payload uptime
	[ "$status" -eq 0 ]
	local mono
	read -r mono _ <<<"$output"
	[ "$mono" -ge 86400 ]
}

@test "the container's seccomp filter applies to the exec'd process, in both forms" {
	requires seccomp
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	start_ct
	nestrun exec ct sh -c 'nr-payload seccomp-mode; nr-payload syscall-errno mkdir /tmp/d'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = EACCES ]
	process_json 'nr-payload syscall-errno mkdir /tmp/d'
	nestrun exec --process "$ROOT/process.json" ct
	[ "$status" -eq 0 ]
	[ "$output" = EACCES ]
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "inline exec takes the container's process: user, groups, env, cwd, caps, rlimits, no_new_privs" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10]}
		| .process.env += ["FROM_CONFIG=yes"] | .process.cwd = "/home/nr"
		| .process.rlimits = [{"type": "RLIMIT_CORE", "soft": 512, "hard": 600}]
		| .process.noNewPrivileges = true
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	start_ct
	nestrun exec ct sh -c 'nr-payload ids; nr-payload env FROM_CONFIG; nr-payload cwd; nr-payload rlimit CORE
		nr-payload nnp; nr-payload caps'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=1000 gid=1000 groups=10" ]
	[ "${lines[1]}" = yes ]
	[ "${lines[2]}" = /home/nr ]
	[ "${lines[3]}" = "512 600" ]
	[ "${lines[4]}" = 1 ]
	# a non-root user keeps no effective capabilities without ambient ones (runc's rule)
	grep -qx 'CapBnd=0000000000000020' <<<"$output"
	grep -qx 'CapEff=0000000000000000' <<<"$output"
}

@test "-e, --cwd, -u and --additional-gids override the container's process" {
	update_config '.process.env += ["FOO=config"] | .process.user = {"uid": 0, "gid": 10, "additionalGids": [20]}'
	start_ct
	nestrun exec -e FOO=flag -e NEW=1 --cwd /tmp -u 1000:1000 --additional-gids 10 --additional-gids 65534 ct \
		sh -c 'nr-payload env FOO; nr-payload env NEW; nr-payload cwd; nr-payload ids'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = flag ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = /tmp ]
	# added to the container's (the kernel sorts them)
	[ "${lines[3]}" = "uid=1000 gid=1000 groups=10,20,65534" ]
	# -u UID alone keeps the container's gid and groups
	nestrun exec -u 1000 ct nr-payload ids
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000 gid=10 groups=20" ]
	# unlike the container's process.cwd at create, a --cwd that does not exist is an error
	expect_error
	nestrun exec --cwd /made/by/exec ct nr-payload cwd
	[ "$status" -ne 0 ]
	[[ "$output" == *'chdir to cwd ("/made/by/exec")'* ]] || [[ "$output" == *'chdir to cwd "/made/by/exec"'* ]]
	[ ! -e "$BUNDLE/rootfs/made" ]
}

@test "HOME comes from the container's /etc/passwd for the exec'd user" {
	start_ct
	nestrun exec ct nr-payload env HOME
	[ "$status" -eq 0 ]
	[ "$output" = /root ]
	nestrun exec -u 1000 ct nr-payload env HOME
	[ "$status" -eq 0 ]
	[ "$output" = /home/nr ]
	nestrun exec -u 4242 ct nr-payload env HOME
	[ "$status" -eq 0 ]
	[ "$output" = / ]
	nestrun exec -e HOME=/given ct nr-payload env HOME
	[ "$status" -eq 0 ]
	[ "$output" = /given ]
	process_json 'nr-payload env HOME' '.user = {"uid": 1000, "gid": 1000}'
	nestrun exec --process "$ROOT/process.json" ct
	[ "$status" -eq 0 ]
	[ "$output" = /home/nr ]
}

@test "--cap adds a capability to the exec'd process" {
	start_ct
	nestrun exec ct nr-payload caps
	[ "$status" -eq 0 ]
	grep -qx 'CapBnd=0000000020000420' <<<"$output"
	nestrun exec --cap CAP_SYS_ADMIN --cap CAP_NET_RAW ct nr-payload caps
	[ "$status" -eq 0 ]
	# CAP_SYS_ADMIN is bit 21, CAP_NET_RAW bit 13
	grep -qx 'CapBnd=0000000020202420' <<<"$output"
	grep -qx 'CapEff=0000000020202420' <<<"$output"
	grep -qx 'CapPrm=0000000020202420' <<<"$output"
}

@test "--no-new-privs sets no_new_privs for the exec'd process only" {
	update_config '.process.noNewPrivileges = false'
	start_ct
	nestrun exec ct nr-payload nnp
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	nestrun exec --no-new-privs ct nr-payload nnp
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	nestrun exec ct nr-payload cat /proc/1/status
	grep -q '^NoNewPrivs:[[:space:]]*0$' <<<"$output"
}

@test "--apparmor and --process-label on a host without AppArmor/SELinux (nestrun only)" {
	# runc refuses both when the host has no such LSM ("apparmor failed to apply
	# profile"); nestrun, like crun, runs the process without the label and says so
	# in the debug log.
	requires not_runc
	[ ! -e /sys/module/apparmor/parameters/enabled ] || [ "$(cat /sys/module/apparmor/parameters/enabled)" != Y ] ||
		skip "AppArmor is enabled on this host"
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
	start_ct
	nestrun --debug exec --apparmor nr-test-profile --process-label system_u:system_r:nr_t:s0 ct nr-payload echo ran
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	grep -q 'profile \\"nr-test-profile\\" ignored' "$NESTRUN_LOG"
	grep -q 'selinux is not enabled' "$NESTRUN_LOG"
}

@test "-t -d with --console-socket: the exec'd process gets a pty (the shim's call)" {
	# started first: with $CONSOLE_SOCKET set, the helpers leave a detached run's stdio alone
	start_ct
	setup_recvtty
	nestrun exec -t -d --console-socket "$CONSOLE_SOCKET" ct sh -c 'nr-payload isatty; tty'
	[ "$status" -eq 0 ]
	wait_recvtty
	cat "$TTY_OUTPUT" >&2
	grep -q 'stdin=tty stdout=tty' "$TTY_OUTPUT"
	grep -q '^/dev/pts/[0-9]' "$TTY_OUTPUT"
}

@test "--process with terminal true, --console-socket and --detach (the shim's docker exec -t)" {
	start_ct
	setup_recvtty
	process_json 'nr-payload isatty; nr-payload winsize' '.terminal = true | .consoleSize = {"height": 21, "width": 77}'
	nestrun exec --process "$ROOT/process.json" --console-socket "$CONSOLE_SOCKET" --detach --pid-file "$ROOT/exec.pid" ct
	[ "$status" -eq 0 ]
	[ -s "$ROOT/exec.pid" ]
	wait_recvtty
	cat "$TTY_OUTPUT" >&2
	grep -q 'stdin=tty stdout=tty' "$TTY_OUTPUT"
	grep -q '^21 77' "$TTY_OUTPUT"
}

@test "-t without --console-socket relays the pty (nestrun only: runc needs a terminal)" {
	# runc opens /dev/tty for its own side and fails without one; nestrun copies the
	# pty to its stdio, so exec -t works from scripts too.
	requires not_runc
	start_ct
	nestrun exec -t ct nr-payload isatty </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == "stdin=tty stdout=tty"* ]]
}

@test "--detach returns while the process runs; --pid-file names it" {
	start_ct
	nestrun exec -d --pid-file "$ROOT/exec.pid" ct nr-payload sleep 60
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/exec.pid")
	[ -d "/proc/$pid" ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "nr-payload sleep 60 " ]
	nestrun ps --format json ct
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson p "$pid" --argjson i "$INIT_PID" 'index($p) != null and index($i) != null'
}

@test "--preserve-fds passes extra fds; without it only stdio reaches the process" {
	start_ct
	echo "through fd 3" >"$ROOT/fd3"
	run bash -c 'exec 3<"$4"; "$0" --root "$1" --log "$2" exec --preserve-fds 1 "$3" sh -c "cat <&3"' \
		"$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG" ct "$ROOT/fd3"
	[ "$status" -eq 0 ]
	[ "$output" = "through fd 3" ]
	run bash -c 'exec 3<"$4"; "$0" --root "$1" --log "$2" exec "$3" nr-payload fds' \
		"$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG" ct "$ROOT/fd3"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 " ]
}

@test "--cgroup runs the process in an existing sub-cgroup" {
	requires cgroup_v1
	start_ct
	local d
	for d in /sys/fs/cgroup/*/"$CGROUP_REL"; do
		mkdir "$d/sub"
	done
	# cpuset: a new cgroup has no cpus until given some
	cp "$(cgroup_dir cpuset)/cpuset.cpus" "$(cgroup_dir cpuset)/sub/cpuset.cpus"
	cp "$(cgroup_dir cpuset)/cpuset.mems" "$(cgroup_dir cpuset)/sub/cpuset.mems"
	# controller:path moves it in the named hierarchies only
	nestrun exec --cgroup pids,memory:sub ct nr-payload cgroup
	[ "$status" -eq 0 ]
	grep -q "^[0-9]*:pids:/$CGROUP_REL/sub\$" <<<"$output"
	grep -q "^[0-9]*:memory:/$CGROUP_REL/sub\$" <<<"$output"
	grep -q "^[0-9]*:freezer:/$CGROUP_REL\$" <<<"$output"
	# several --cgroup, one per controller
	nestrun exec --cgroup pids:sub --cgroup freezer:sub ct nr-payload cgroup
	[ "$status" -eq 0 ]
	grep -q "^[0-9]*:pids:/$CGROUP_REL/sub\$" <<<"$output"
	grep -q "^[0-9]*:freezer:/$CGROUP_REL/sub\$" <<<"$output"
	grep -q "^[0-9]*:memory:/$CGROUP_REL\$" <<<"$output"
	# a bare path applies to every hierarchy
	nestrun exec --cgroup sub ct nr-payload cgroup
	[ "$status" -eq 0 ]
	[ -z "$(grep -v "/$CGROUP_REL/sub\$" <<<"$output")" ]
	# the container's processes in sub-cgroups are still its own: ps lists them
	nestrun exec -d --pid-file "$ROOT/exec.pid" --cgroup pids:sub ct nr-payload pause
	[ "$status" -eq 0 ]
	nestrun ps --format json ct
	echo "$output" | jq -e --argjson p "$(cat "$ROOT/exec.pid")" 'index($p) != null'
}

@test "--process FILE: args, env, cwd, user, caps and rlimits come from the file" {
	update_config '.process.env += ["FROM_CONFIG=yes"]'
	start_ct
	process_json 'nr-payload ids; nr-payload env FOO; nr-payload env FROM_CONFIG 2>/dev/null || echo unset
		nr-payload cwd; nr-payload rlimit CORE; nr-payload nnp; nr-payload caps' '.env += ["FOO=from-file"]
		| .cwd = "/tmp" | .user = {"uid": 1000, "gid": 1000, "additionalGids": [10]}
		| .rlimits = [{"type": "RLIMIT_CORE", "soft": 300, "hard": 301}] | .noNewPrivileges = true
		| .capabilities = {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}'
	nestrun exec --process "$ROOT/process.json" ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=1000 gid=1000 groups=10" ]
	[ "${lines[1]}" = from-file ]
	# the config's env is not mixed in
	[ "${lines[2]}" = unset ]
	[ "${lines[3]}" = /tmp ]
	[ "${lines[4]}" = "300 301" ]
	[ "${lines[5]}" = 1 ]
	grep -qx 'CapBnd=0000000000000001' <<<"$output"
}

@test "--process FILE with --detach and --pid-file (containerd-shim's call)" {
	start_ct
	process_json 'echo started >/tmp/started; exec nr-payload pause'
	nestrun exec --process "$ROOT/process.json" --detach --pid-file "$ROOT/exec.pid" ct
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/exec.pid")
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/started"
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "nr-payload pause " ]
	diff "/proc/$INIT_PID/cgroup" "/proc/$pid/cgroup"
}

@test "--process without capabilities: the container's capabilities (as runc)" {
	start_ct
	process_json 'nr-payload caps'
	nestrun exec --process "$ROOT/process.json" ct
	[ "$status" -eq 0 ]
	grep -qx 'CapBnd=0000000020000420' <<<"$output"
	grep -qx 'CapEff=0000000020000420' <<<"$output"
}

@test "exec into a created container, before start" {
	nestrun create --pid-file "$ROOT/init.pid" ct
	[ "$status" -eq 0 ]
	nestrun exec ct nr-payload echo before-start
	[ "$status" -eq 0 ]
	[ "$output" = before-start ]
	testcontainer ct created
	# the container's process still waits for start
	[ "$(tr '\0' ' ' <"/proc/$(cat "$ROOT/init.pid")/cmdline")" != "nr-payload pause " ]
	nestrun start ct
	[ "$status" -eq 0 ]
	testcontainer ct running
}

@test "exec into a paused container: refused, or waits for resume with --ignore-paused" {
	start_ct
	nestrun pause ct
	[ "$status" -eq 0 ]
	expect_error
	nestrun exec ct nr-payload echo refused
	[ "$status" -ne 0 ]
	[[ "$output" == *"paused"* ]]
	# frozen with the container, the process runs once it is resumed
	(__nestrun exec --ignore-paused ct nr-payload echo after-resume >"$ROOT/ignore-paused.out" 2>&1) &
	local bg=$!
	sleep 0.5
	[ ! -s "$ROOT/ignore-paused.out" ]
	nestrun resume ct
	[ "$status" -eq 0 ]
	wait "$bg"
	[ "$(cat "$ROOT/ignore-paused.out")" = after-resume ]
	testcontainer ct running
}
