#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The operations engines call on a live container (issue 3), each with runc's flags
# and output: ps (ps(1)'s table, --format json), pause/resume, update (--resources
# and the individual flags, checked in the cgroup files), events (--stats, --interval,
# oom events, the first stats event one interval in, the end of the stream), kill --all
# and delete --force.
# NESTRUN=/usr/sbin/runc passes the same tests but those marked nestrun-only (not_runc).

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
	set_args nr-payload pause
}

function teardown() {
	if [ -n "${EVENTS_PID:-}" ]; then
		kill -9 "$EVENTS_PID" 2>/dev/null
		wait "$EVENTS_PID" 2>/dev/null
	fi
	teardown_bundle
}

# exec_bg NAME SCRIPT: run a detached sh -c SCRIPT in ct; its pid in $ROOT/NAME.pid.
function exec_bg() {
	nestrun exec -d --pid-file "$ROOT/$1.pid" ct sh -c "$2"
	[ "$status" -eq 0 ]
}

# The pids in the container's cgroup (v1 pids hierarchy, or the unified one), sorted.
function cgroup_pids() {
	init_cgroup_info
	local c=pids
	[ "$CGROUP_MODE" = v2 ] && c=unified
	sort -n "$(cgroup_dir "$c")/cgroup.procs"
}

# A runtime call with its own stdin: runtime_stdin INPUT ARGS...
function runtime_stdin() {
	local input=$1
	shift
	run bash -c 'printf "%s" "$1" | "$2" --root "$3" --log "$4" --log-format json "${@:5}"' \
		bash "$input" "$NESTRUN" "$NESTRUN_ROOT" "$NESTRUN_LOG" "$@"
	echo "$* <<<'$input' (status=$status): $output" >&2
}

# ---- ps ------------------------------------------------------------------------

@test "ps shows ps(1)'s table, with the container's processes only" {
	start_ct
	exec_bg second 'exec nr-payload sleep 60'
	nestrun ps ct
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID ]]
	[ "${#lines[@]}" -eq 3 ]
	grep -q "^root *$INIT_PID .*nr-payload pause\$" <<<"$output"
	grep -q "^root *$(cat "$ROOT/second.pid") .*nr-payload sleep 60\$" <<<"$output"
	# the host's processes are not listed (bats' own shell here)
	if grep -q "^[^ ]* *$$ " <<<"$output"; then fail "ps listed a host process"; fi
	# -ef is the default
	local table=$output
	nestrun ps ct -ef
	[ "$status" -eq 0 ]
	[ "$(cut -c1-20 <<<"$output")" = "$(cut -c1-20 <<<"$table")" ]
}

@test "ps passes its arguments to ps(1)" {
	start_ct
	nestrun ps ct -o pid,comm
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ *PID\ +COMMAND$ ]]
	[[ "${lines[1]}" =~ ^\ *$INIT_PID\ +nr-payload$ ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "ps --format json is the list of the container's pids" {
	start_ct
	exec_bg bg 'sleep 1000 & exec nr-payload pause'
	retry 50 0.1 test "$(cgroup_pids | wc -l)" -eq 3
	nestrun ps --format json ct
	[ "$status" -eq 0 ]
	[ "$(jq -r 'sort | .[]' <<<"$output")" = "$(cgroup_pids)" ]
	jq -e --argjson i "$INIT_PID" --argjson p "$(cat "$ROOT/bg.pid")" 'length == 3 and index($i) and index($p)' \
		<<<"$output"
	nestrun ps -f json ct
	[ "$status" -eq 0 ]
	[ "$(jq -c sort <<<"$output")" = "$(cgroup_pids | jq -sc .)" ]
}

@test "ps --format json of a created container lists its init" {
	nestrun create --pid-file "$ROOT/init.pid" ct
	[ "$status" -eq 0 ]
	nestrun ps --format json ct
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "[$(cat "$ROOT/init.pid")]" ]
}

# ---- pause / resume -------------------------------------------------------------

@test "pause freezes every process of the container, resume thaws them" {
	start_ct
	exec_bg counter 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
	retry 50 0.1 test -s "$BUNDLE/rootfs/tmp/count"
	nestrun pause ct
	[ "$status" -eq 0 ]
	testcontainer ct paused
	init_cgroup_info
	if [ "$CGROUP_MODE" != v2 ]; then
		check_cgroup_value freezer freezer.state FROZEN
	else
		check_cgroup_value unified cgroup.freeze 1
	fi
	local before
	before=$(cat "$BUNDLE/rootfs/tmp/count")
	sleep 0.5
	[ "$(cat "$BUNDLE/rootfs/tmp/count")" = "$before" ]
	nestrun resume ct
	[ "$status" -eq 0 ]
	testcontainer ct running
	if [ "$CGROUP_MODE" != v2 ]; then
		check_cgroup_value freezer freezer.state THAWED
	fi
	retry 50 0.1 test "$(cat "$BUNDLE/rootfs/tmp/count")" -gt "$before"
}

@test "pause and resume of a created container: paused, then created again" {
	nestrun create ct
	[ "$status" -eq 0 ]
	nestrun pause ct
	[ "$status" -eq 0 ]
	testcontainer ct paused
	nestrun resume ct
	[ "$status" -eq 0 ]
	testcontainer ct created
	nestrun start ct
	[ "$status" -eq 0 ]
	testcontainer ct running
}

# ---- update ---------------------------------------------------------------------

@test "update: each of runc's flags sets its cgroup file (v1)" {
	requires cgroup_v1
	start_ct
	nestrun update --memory 100M --memory-reservation 50M --memory-swap 200M --cpu-share 512 \
		--cpu-quota 20000 --cpu-period 50000 --cpuset-cpus 0 --cpuset-mems 0 --pids-limit 42 ct
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes 104857600
	check_cgroup_value memory memory.soft_limit_in_bytes 52428800
	if [ -e "$(cgroup_dir memory)/memory.memsw.limit_in_bytes" ]; then
		check_cgroup_value memory memory.memsw.limit_in_bytes 209715200
	fi
	check_cgroup_value cpu cpu.shares 512
	check_cgroup_value cpu cpu.cfs_quota_us 20000
	check_cgroup_value cpu cpu.cfs_period_us 50000
	check_cgroup_value cpuset cpuset.cpus 0
	check_cgroup_value cpuset cpuset.mems 0
	check_cgroup_value pids pids.max 42
	# what the container sees
	nestrun exec ct cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = 104857600 ]
	# -1: no limit
	nestrun update --memory -1 --memory-swap -1 --pids-limit -1 --cpu-quota -1 ct
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes 9223372036854771712
	check_cgroup_value pids pids.max max
	check_cgroup_value cpu cpu.cfs_quota_us -1
}

@test "update --blkio-weight (v1, when the kernel has a weight file)" {
	requires cgroup_v1
	local f
	for f in blkio.weight blkio.bfq.weight; do
		[ -e "/sys/fs/cgroup/blkio/$f" ] && break
	done
	[ -e "/sys/fs/cgroup/blkio/$f" ] || skip "no blkio.weight or blkio.bfq.weight on this kernel"
	start_ct
	nestrun update --blkio-weight 300 ct
	[ "$status" -eq 0 ]
	grep -qw 300 "$(cgroup_dir blkio)/$f"
}

@test "update --cpu-rt-period and --cpu-rt-runtime (v1 with realtime group scheduling)" {
	requires cgroup_v1
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no CONFIG_RT_GROUP_SCHED"
	[ "$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)" -ge 1000 ] || skip "the root cgroup has no realtime budget"
	# directly under the root: the budget comes from the parent, and the shared test
	# parent has none to give
	CGROUP_REL="nestrun-rt-$$-$RANDOM"
	update_config ".linux.cgroupsPath = \"/$CGROUP_REL\""
	start_ct
	nestrun update --cpu-rt-period 900000 --cpu-rt-runtime 1000 ct
	[ "$status" -eq 0 ]
	check_cgroup_value cpu cpu.rt_period_us 900000
	check_cgroup_value cpu cpu.rt_runtime_us 1000
}

@test "update --kernel-memory and --kernel-memory-tcp are accepted, as runc accepts them" {
	requires cgroup_v1
	start_ct
	local before
	before=$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")
	nestrun update --kernel-memory 100M --kernel-memory-tcp 50M ct
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes "$before"
	testcontainer ct running
}

@test "update --resources - reads LinuxResources JSON from stdin, --resources FILE from a file" {
	requires cgroup_v1
	start_ct
	runtime_stdin '{"memory": {"limit": 73400320}, "cpu": {"shares": 300}, "pids": {"limit": 33}}' \
		update --resources - ct
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes 73400320
	check_cgroup_value cpu cpu.shares 300
	check_cgroup_value pids pids.max 33
	echo '{"cpu": {"quota": 10000, "period": 40000, "cpus": "0"}}' >"$ROOT/resources.json"
	nestrun update -r "$ROOT/resources.json" ct
	[ "$status" -eq 0 ]
	check_cgroup_value cpu cpu.cfs_quota_us 10000
	check_cgroup_value cpu cpu.cfs_period_us 40000
	check_cgroup_value cpuset cpuset.cpus 0
	# untouched by the second
	check_cgroup_value memory memory.limit_in_bytes 73400320
}

@test "update: a later update of another field keeps the first" {
	requires cgroup_v1
	start_ct
	nestrun update --memory 100M ct
	[ "$status" -eq 0 ]
	nestrun update --cpu-quota 30000 ct
	[ "$status" -eq 0 ]
	nestrun update --cpu-period 60000 ct
	[ "$status" -eq 0 ]
	check_cgroup_value memory memory.limit_in_bytes 104857600
	check_cgroup_value cpu cpu.cfs_quota_us 30000
	check_cgroup_value cpu cpu.cfs_period_us 60000
}

@test "update: the stored config keeps every update (nestrun only: runc 1.1.5 resets it)" {
	# runc 1.1.5 rewrites its state.json with the fields of the last update only,
	# zero for the others; runc 1.2 merges, as nestrun does.  The stored config is
	# where a later update finds the other half of cpu.max on cgroup v2.
	requires not_runc
	start_ct
	nestrun update --memory 100M --cpu-share 512 ct
	[ "$status" -eq 0 ]
	nestrun update --cpu-quota 30000 ct
	[ "$status" -eq 0 ]
	runtime_stdin '{"pids": {"limit": 9}, "cpu": {"period": 60000}}' update -r - ct
	[ "$status" -eq 0 ]
	jq -e '.linux.resources | .memory.limit == 104857600 and .cpu.shares == 512 and .cpu.quota == 30000
		and .cpu.period == 60000 and .pids.limit == 9' "$NESTRUN_ROOT/ct/config.json"
	# the rest of the config is as it was
	jq -e '.process.args == ["nr-payload", "pause"] and (.linux.resources.devices | length) > 0' \
		"$NESTRUN_ROOT/ct/config.json"
	# a failed update changes nothing
	expect_error
	nestrun update --cpuset-cpus 4096 ct
	[ "$status" -ne 0 ]
	jq -e '.linux.resources.cpu.cpus == null' "$NESTRUN_ROOT/ct/config.json"
}

# ---- events ---------------------------------------------------------------------

@test "events --stats prints one stats event in runc's shape" {
	start_ct
	exec_bg second 'exec nr-payload pause'
	nestrun update --memory 100M --pids-limit 50 ct
	[ "$status" -eq 0 ]
	nestrun events --stats ct
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	local ev=$output ncpu
	ncpu=$(nproc)
	jq -e '.type == "stats" and .id == "ct"' <<<"$ev"
	# the sections runc's types.Stats has, by their JSON names
	jq -e '.data | (.cpu | type) == "object" and (.memory | type) == "object" and (.pids | type) == "object"
		and (.blkio | type) == "object" and (.hugetlb | type) == "object" and (.cpuset | type) == "object"' <<<"$ev"
	jq -e --argjson n "$ncpu" '.data.cpu.usage | .total > 0 and (.percpu | length) == $n
		and has("kernel") and has("user")' <<<"$ev"
	jq -e '.data.cpu | has("throttling")' <<<"$ev"
	jq -e '.data.memory | .usage.limit == 104857600 and .usage.usage > 0 and has("swap") and has("kernel")
		and (.raw | has("cache") or has("file"))' <<<"$ev"
	jq -e '.data.pids == {"current": 2, "limit": 50}' <<<"$ev"
	init_cgroup_info
	if [ "$CGROUP_MODE" != v2 ]; then
		jq -e --argjson n "$ncpu" '.data.cpuset | (.cpus | length) == $n and (.mems | length) >= 1
			and .sched_load_balance == 1 and has("cpu_exclusive") and has("sched_relax_domain_level")' <<<"$ev"
	fi
}

@test "events --interval streams a stats event every interval" {
	start_ct
	run timeout 2.5 "$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json events --interval 500ms ct
	# timeout's own status: the stream does not end by itself
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -ge 3 ]
	local l
	for l in "${lines[@]}"; do
		jq -e '.type == "stats" and .id == "ct" and .data.pids.current == 1' <<<"$l"
	done
}

# events_bg ARGS...: `events ARGS` in the background (EVENTS_PID), stdout in $ROOT/events.out.
function events_bg() {
	"$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json events "$@" \
		</dev/null >"$ROOT/events.out" 2>"$ROOT/events.err" 3>&- &
	EVENTS_PID=$!
}

# The events process holds its OOM notification fd (a v1 eventfd, a v2 inotify fd; runc's
# too): from here on an OOM is seen, and the stream has begun.
function events_ready() {
	local fd
	for fd in /proc/"$EVENTS_PID"/fd/*; do
		case "$(readlink "$fd" 2>/dev/null)" in
		'anon_inode:[eventfd]' | anon_inode:inotify) return 0 ;;
		esac
	done
	return 1
}

# The complete events printed so far, one compact JSON object a line (a line still
# being written is left out).
function events_lines() {
	jq -cR 'fromjson? // empty' "$ROOT/events.out"
}

# At least one complete event was printed.
function events_seen() {
	[ -n "$(events_lines)" ]
}

# Wait for the events process to end by itself; its exit status in $status.
function events_wait_end() {
	retry 100 0.1 process_gone "$EVENTS_PID" || return 1
	status=0
	wait "$EVENTS_PID" || status=$?
	EVENTS_PID=
	echo "events ended (status=$status): $(cat "$ROOT/events.err")" >&2
}

@test "events reports an OOM kill in the container as an oom event, when it happens" {
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	start_ct
	# an hour between stats events: whatever comes now is an oom event
	events_bg --interval 1h ct
	retry 100 0.05 events_ready
	# busybox's sh holds a 64 MiB string: the OOM killer ends it
	nestrun exec ct sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
	retry 100 0.1 events_seen
	events_lines | jq -se 'all(.[]; . == {"type": "oom", "id": "ct"})'
	# the container's init lives on, and so does the stream
	testcontainer ct running
	kill -0 "$EVENTS_PID"
}

@test "events: the first stats event comes one interval in, not at once (runc's time.Tick)" {
	start_ct
	events_bg --interval 3s ct
	retry 100 0.05 events_ready
	# A change made once the stream has begun shows in the first stats event: it was
	# read at the first tick, not when the stream began.  (This fails only if update
	# took longer than the 3 s interval.)
	nestrun update --pids-limit 77 ct
	[ "$status" -eq 0 ]
	retry 100 0.1 events_seen
	events_lines | head -n 1 | jq -e '.type == "stats" and .id == "ct" and .data.pids.limit == 77'
}

@test "events ends as runc's: on cgroup v1 when delete removes the cgroup, on v2 when the container stops" {
	start_ct
	events_bg --interval 200ms ct
	retry 100 0.05 events_ready
	nestrun kill ct KILL
	[ "$status" -eq 0 ]
	init_cgroup_info
	if [ "$CGROUP_MODE" != v2 ]; then
		# the stopped container's cgroup is still there: its (empty) stats keep coming
		retry 100 0.1 eval 'events_lines | jq -se "any(.[]; .type == \"stats\" and (.data.pids.current // 0) == 0)"'
		kill -0 "$EVENTS_PID"
		testcontainer ct stopped
		nestrun delete ct
		[ "$status" -eq 0 ]
	fi
	events_wait_end
	[ "$status" -eq 0 ]
	[ ! -s "$ROOT/events.err" ]
	events_lines | jq -se 'all(.[]; .type == "stats" and .id == "ct")'
}

# ---- kill --all, delete --force ---------------------------------------------------

@test "kill --all signals every process in the container's cgroup, background ones too" {
	# no pid namespace: the init's death does not take the others with it
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_ct
	exec_bg bg 'sleep 1000 & sleep 1001 & exec nr-payload pause'
	retry 50 0.1 test "$(cgroup_pids | wc -l)" -eq 4
	local pids
	pids=$(cgroup_pids)
	# without --all only the init gets it
	nestrun kill ct TERM
	[ "$status" -eq 0 ]
	retry 50 0.1 process_gone "$INIT_PID"
	[ "$(cgroup_pids | wc -l)" -eq 3 ]
	nestrun kill --all ct KILL
	[ "$status" -eq 0 ]
	local p
	for p in $pids; do
		retry 50 0.1 process_gone "$p"
	done
	retry 50 0.1 test -z "$(cgroup_pids)"
	testcontainer ct stopped
}

@test "kill --all of a paused container: the processes die" {
	start_ct
	exec_bg bg 'sleep 1000 & exec nr-payload pause'
	nestrun pause ct
	[ "$status" -eq 0 ]
	nestrun kill --all ct KILL
	[ "$status" -eq 0 ]
	retry 50 0.1 process_gone "$INIT_PID"
	retry 50 0.1 process_gone "$(cat "$ROOT/bg.pid")"
	retry 50 0.1 test -z "$(cgroup_pids)"
}

# delete_force_check: delete -f ct, then nothing of it is left
function delete_force_check() {
	local pids p dir
	pids=$(cgroup_pids)
	[ -n "$pids" ]
	nestrun delete --force ct
	[ "$status" -eq 0 ]
	for p in $pids; do
		process_gone "$p" || fail "process $p survived delete --force"
	done
	for dir in /sys/fs/cgroup/*/"$CGROUP_REL"; do
		[ ! -d "$dir" ] || fail "cgroup $dir survived delete --force"
	done
	[ ! -e "$NESTRUN_ROOT/ct" ]
	nestrun state ct
	[ "$status" -ne 0 ]
}

@test "delete --force of a running container: processes, sub-cgroups, cgroups and state go" {
	start_ct
	exec_bg bg 'sleep 1000 & sleep 1001 & exec nr-payload pause'
	init_cgroup_info
	if [ "$CGROUP_MODE" != v2 ]; then
		mkdir "$(cgroup_dir pids)/sub"
		nestrun exec -d --cgroup pids:sub ct nr-payload pause
		[ "$status" -eq 0 ]
	fi
	expect_error # the state of a container that is gone
	delete_force_check
}

@test "delete --force of a paused container: thawed, killed, reaped, removed" {
	start_ct
	exec_bg bg 'sleep 1000 & exec nr-payload pause'
	nestrun pause ct
	[ "$status" -eq 0 ]
	expect_error
	delete_force_check
}
