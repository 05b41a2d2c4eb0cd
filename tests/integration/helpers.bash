#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Helpers for the nestrun integration suites, in the shape of runc's
# tests/integration/helpers.bash.  Every test gets its own bundle, state root
# and --log file; teardown deletes what is left and then checks the host's
# health (sysbox style): a test fails if it left mounts, processes, cgroups or
# state behind, or if the runtime logged an error the test did not expect.
#
# Environment:
#   NESTRUN      the runtime under test (default: <srcdir>/build/nestrun).
#                NESTRUN=/usr/sbin/runc runs the same suites against runc, the oracle.
#   NR_PAYLOAD   the static test payload (default: <srcdir>/build/tests/payload/nr-payload,
#                else compiled from tests/payload/init.c once per bats run)
#   BUSYBOX      a static busybox (default /bin/busybox, Debian's busybox-static)
#
# status, output and lines are set by bats' `run`.
# shellcheck disable=SC2154

if [ -z "${BATS_RUN_TMPDIR:-}" ]; then
	echo "bats >= 1.2.1 is required" >&2
	exit 1
fi

# `run !` and `run -N` need bats >= 1.5.
bats_require_minimum_version 1.5.0

INTEGRATION_ROOT=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
SRCDIR=$(readlink -f "$INTEGRATION_ROOT/../..")
HELPERS_DIR="$SRCDIR/tests/helpers"
RECVTTY="$HELPERS_DIR/recvtty.py"
# shellcheck disable=SC2034  # used by the suites
TESTDATA="$SRCDIR/tests/data"

NESTRUN="${NESTRUN:-$SRCDIR/build/nestrun}"
NESTRUN=$(command -v "$NESTRUN" || echo "$NESTRUN")
BUSYBOX="${BUSYBOX:-/bin/busybox}"
# The machine may have a newer docker client in /usr/local/bin shadowing Debian's.
export DOCKER=/usr/bin/docker
export DOCKERD=/usr/sbin/dockerd

# Where tests put their containers' cgroups: /nestrun-test/<per-test name>.
CGROUP_PREFIX=nestrun-test

KERNEL_VERSION=$(uname -r)
KERNEL_MAJOR=${KERNEL_VERSION%%.*}
KERNEL_MINOR=${KERNEL_VERSION#"$KERNEL_MAJOR".}
KERNEL_MINOR=${KERNEL_MINOR%%.*}

# runc is the oracle; where it diverges from what nestrun must do, a test says so
# with `if [ -n "$NESTRUN_IS_RUNC" ]` and a comment.
NESTRUN_IS_RUNC=
if [ -x "$NESTRUN" ] && "$NESTRUN" --version 2>/dev/null | grep -q '^runc version'; then
	NESTRUN_IS_RUNC=1
fi

# Fails the current test with a message.
function fail() {
	echo "$@" >&2
	return 1
}

# Raw call of the runtime under test, with this test's root and log.
# A process that outlives the command (create, run -d, exec -d) would inherit bats'
# capture pipe and keep `run` waiting forever, so for those the runtime's stdio
# is a file ($CT_STDIO, also the process's stdout/stderr), printed afterwards.
function __nestrun() {
	local detached='' a
	if [ "${1:-}" = create ]; then
		detached=1
	elif [ "${1:-}" = run ] || [ "${1:-}" = exec ]; then
		for a in "$@"; do
			case "$a" in -d | --detach) detached=1 ;; esac
		done
	fi
	if [ -z "$detached" ] || [ -n "${CONSOLE_SOCKET:-}" ]; then
		"$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json "$@"
		return
	fi
	local rc=0
	CT_STDIO=$(mktemp "$ROOT/stdio.XXXXXX")
	"$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json "$@" \
		</dev/null >"$CT_STDIO" 2>&1 || rc=$?
	cat "$CT_STDIO"
	return $rc
}

# Wrapper: sets $status, $output and $lines (bats `run`), and logs the command,
# its status and output; bats prints these only when the test fails.
function nestrun() {
	run __nestrun "$@"
	echo "nestrun $* (status=$status):" >&2
	echo "$output" >&2
}

# Declare that this test expects the runtime to log "level":"error" lines
# (a refused config, an unknown id...); without it teardown fails on them.
function expect_error() {
	NR_EXPECT_ERROR=1
}

# Undo expect_error: from here on, an error line in --log fails the test again.
function expect_no_error() {
	NR_EXPECT_ERROR=
}

# The msg of the last "level":"error" line of the --log file must match the
# extended regex $1: that line is what containerd shows the user.
function assert_log_error() {
	local last
	last=$(grep '"level":"error"' "$NESTRUN_LOG" | tail -n 1 | jq -r .msg)
	echo "last error in --log: $last" >&2
	[ -n "$last" ] || fail "no \"level\":\"error\" line in $NESTRUN_LOG"
	[[ "$last" =~ $1 ]] || fail "last error '$last' does not match '$1'"
}

# Edit config.json with a jq filter.
function update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.json.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" || {
		rm -f "$tmp"
		fail "update_config: jq failed on '$1'"
		return 1
	}
	mv "$tmp" "$BUNDLE/config.json"
}

# Set process.args to the given words: set_args nr-payload ids
function set_args() {
	update_config ".process.args = $(json_array "$@")"
}

# Print the words given as a JSON array of strings (any word, even "-c" or "--").
function json_array() {
	local i=0 a jqargs=()
	for a in "$@"; do
		jqargs+=(--arg "$i" "$a")
		i=$((i + 1))
	done
	# shellcheck disable=SC2016
	jq -cn '[$ARGS.named | to_entries | sort_by(.key | tonumber)[] | .value]' "${jqargs[@]}"
}

function init_cgroup_info() {
	[ -n "${CGROUP_MODE:-}" ] && return
	local fstype
	fstype=$(stat -f -c %T /sys/fs/cgroup)
	if [ "$fstype" = cgroup2fs ]; then
		CGROUP_MODE=v2
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		CGROUP_MODE=hybrid
	else
		CGROUP_MODE=v1
	fi
}

# Path of the test's cgroup for a v1 controller ("memory", "pids"...) or, with
# "unified", in the v2 hierarchy (the only one on v2, /sys/fs/cgroup/unified on hybrid).
function cgroup_dir() {
	init_cgroup_info
	case "$CGROUP_MODE:$1" in
	v2:*) echo "/sys/fs/cgroup/$CGROUP_REL" ;;
	hybrid:unified) echo "/sys/fs/cgroup/unified/$CGROUP_REL" ;;
	*) echo "/sys/fs/cgroup/$1/$CGROUP_REL" ;;
	esac
}

# check_cgroup_value CONTROLLER FILE EXPECTED
function check_cgroup_value() {
	local current
	current=$(cat "$(cgroup_dir "$1")/$2")
	echo "cgroup $1/$2: current '$current' expected '$3'" >&2
	[ "$current" = "$3" ]
}

function requires_kernel() {
	local major minor
	major=${1%%.*}
	minor=${1#*.}
	if [ "$KERNEL_MAJOR" -lt "$major" ] || { [ "$KERNEL_MAJOR" -eq "$major" ] && [ "$KERNEL_MINOR" -lt "$minor" ]; }; then
		skip "requires kernel >= $1 (this one is $KERNEL_VERSION)"
	fi
}

# The runtime's `features` document (runtime-spec features.md), cached per test.
function runtime_features() {
	if [ -z "${NR_FEATURES:-}" ]; then
		NR_FEATURES=$("$NESTRUN" features 2>/dev/null) || NR_FEATURES='{}'
	fi
	echo "$NR_FEATURES"
}

# Allows a test to state what it needs; when the machine can't give it, the
# test is skipped with a message that says why.
function requires() {
	local var why
	for var in "$@"; do
		why=
		case $var in
		root)
			[ "$(id -u)" -eq 0 ] || why="must run as root"
			;;
		cgroup_v1)
			init_cgroup_info
			[ "$CGROUP_MODE" != v2 ] || why="needs cgroup v1 controllers; this host is cgroup v2 only"
			;;
		cgroup_v2)
			init_cgroup_info
			[ "$CGROUP_MODE" = v2 ] || why="needs a cgroup v2 (unified) host; this one is $CGROUP_MODE"
			;;
		hybrid)
			init_cgroup_info
			[ "$CGROUP_MODE" = hybrid ] || why="needs a hybrid cgroup host; this one is $CGROUP_MODE"
			;;
		cgroup_unified)
			init_cgroup_info
			[ "$CGROUP_MODE" != v1 ] || why="no cgroup2 hierarchy mounted"
			;;
		cgroupns)
			[ -e /proc/self/ns/cgroup ] || why="kernel has no cgroup namespaces"
			;;
		timens)
			[ -e /proc/self/ns/time ] || why="kernel has no time namespaces (CONFIG_TIME_NS, >= 5.6)"
			;;
		userns)
			if [ ! -e /proc/self/ns/user ] || [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -eq 0 ]; then
				why="user namespaces are disabled (user.max_user_namespaces = 0)"
			fi
			;;
		seccomp)
			grep -q '^Seccomp:' /proc/self/status || why="kernel has no seccomp"
			;;
		docker)
			[ -x "$DOCKERD" ] && [ -x "$DOCKER" ] || why="needs Debian's docker.io ($DOCKERD and $DOCKER)"
			[ "$(id -u)" -eq 0 ] || why="a private dockerd needs root"
			;;
		python3)
			command -v python3 >/dev/null || why="needs python3"
			;;
		feature_mount_*)
			# e.g. feature_mount_rro: the runtime's `features` lists the mount option.
			runtime_features | jq -e --arg o "${var#feature_mount_}" '.mountOptions // [] | index($o)' >/dev/null ||
				why="the runtime's features document does not list mount option ${var#feature_mount_}"
			;;
		not_runc)
			[ -z "$NESTRUN_IS_RUNC" ] || why="runc diverges from nestrun here (see the test's comment)"
			;;
		*)
			fail "BUG: invalid requires $var"
			return 1
			;;
		esac
		if [ -n "$why" ]; then
			skip "requires $var: $why"
		fi
	done
}

# Print the first capability (by name) the host's bounding set lacks; fail if none.
# This VM has no CAP_SYS_RESOURCE, as at every nesting depth whose parent dropped one.
function missing_host_capability() {
	local names=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL
		CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE
		CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE
		CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT
		CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE
		CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG
		CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE)
	local bnd i
	bnd=$((0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
	for ((i = 0; i < ${#names[@]}; i++)); do
		if [ $(((bnd >> i) & 1)) -eq 0 ]; then
			echo "${names[$i]}"
			return 0
		fi
	done
	return 1
}

# Retry a command $1 times until it succeeds, $2 seconds apart.
function retry() {
	local attempts=$1 delay=$2 i
	shift 2
	for ((i = 0; i < attempts; i++)); do
		run "$@"
		[ "$status" -eq 0 ] && return 0
		sleep "$delay"
	done
	echo "command \"$*\" failed $attempts times; output: $output" >&2
	return 1
}

# wait_for_container ATTEMPTS DELAY ID STATUS
# Polls `state` with its own --log: "does not exist" while waiting is no error of the test's.
function wait_for_container() {
	retry "$1" "$2" eval "\"\$NESTRUN\" --root \"\$NESTRUN_ROOT\" --log \"\$ROOT/poll.log\" --log-format json state '$3' | jq -e '.status == \"$4\"'"
}

# The process is gone, or a zombie nobody has reaped yet.
function process_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# Run container "ct" from the bundle in the background (run -d); INIT_PID is its pid.
function start_ct() {
	nestrun run -d --pid-file "$ROOT/init.pid" ct
	[ "$status" -eq 0 ] || return 1
	# shellcheck disable=SC2034 # used by the suites
	INIT_PID=$(cat "$ROOT/init.pid")
}

# testcontainer ID STATUS: `state` succeeds and reports STATUS.
function testcontainer() {
	nestrun state "$1"
	[ "$status" -eq 0 ] || return 1
	[ "$(echo "$output" | jq -r .status)" = "$2" ] || fail "container $1 is not $2"
}

# The static payload: built by `make check`, else compiled once per bats run.
function payload_binary() {
	local built="$SRCDIR/build/tests/payload/nr-payload"
	if [ -n "${NR_PAYLOAD:-}" ]; then
		echo "$NR_PAYLOAD"
	elif [ -x "$built" ]; then
		echo "$built"
	else
		local out="$BATS_RUN_TMPDIR/nr-payload"
		if [ ! -x "$out" ]; then
			${CC:-cc} -static -O2 -o "$out.tmp" "$SRCDIR/tests/payload/init.c" >&2 &&
				mv "$out.tmp" "$out"
		fi
		echo "$out"
	fi
}

# A busybox-static rootfs with the payload, made once per bats run and copied
# into every bundle: /bin/busybox and its applet symlinks, /bin/nr-payload,
# /etc/passwd and /etc/group with root and user "nr" (uid/gid 1000).
function rootfs_template() {
	local tpl="$BATS_RUN_TMPDIR/rootfs-template"
	(
		flock 9
		[ -e "$tpl/.done" ] && exit 0
		rm -rf "$tpl" && mkdir -p "$tpl" || exit 1
		cd "$tpl" || exit 1
		mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp root home/nr run var/tmp
		chmod 1777 tmp var/tmp
		cp "$BUSYBOX" bin/busybox || exit 1
		# One process when we may chroot; else one ln per applet.
		if ! chroot . /bin/busybox --install -s 2>/dev/null; then
			local applet
			for applet in $(bin/busybox --list-full); do
				[ -e "$applet" ] || ln -s /bin/busybox "$applet"
			done
		fi
		cp "$(payload_binary)" bin/nr-payload || exit 1
		cat >etc/passwd <<-EOF
			root:x:0:0:root:/root:/bin/sh
			nr:x:1000:1000:nestrun test user:/home/nr:/bin/sh
			nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		EOF
		cat >etc/group <<-EOF
			root:x:0:
			wheel:x:10:nr
			nr:x:1000:
			nogroup:x:65534:
		EOF
		chown 1000:1000 home/nr
		: >etc/hosts
		: >etc/resolv.conf
		touch .done
	) 9>"$BATS_RUN_TMPDIR/rootfs-template.lock" || fail "cannot build the test rootfs"
	echo "$tpl"
}

# A fresh bundle for this test: $ROOT/{bundle,state,nestrun.log}, config.json
# from tests/helpers/config.json (runc's default spec, no terminal, args
# `nr-payload echo hello`), and a per-test linux.cgroupsPath.
function setup_bundle() {
	[ -x "$NESTRUN" ] || fail "NESTRUN=$NESTRUN is not an executable" || return 1
	local tpl
	tpl=$(rootfs_template) || return 1
	ROOT=$(mktemp -d "$BATS_RUN_TMPDIR/nestrun.XXXXXX")
	BUNDLE="$ROOT/bundle"
	NESTRUN_ROOT="$ROOT/state"
	NESTRUN_LOG="$ROOT/nestrun.log"
	NR_EXPECT_ERROR=
	mkdir -p "$NESTRUN_ROOT" "$BUNDLE"
	# Mapped users of a user namespace must reach the rootfs.
	chmod 711 "$BATS_RUN_TMPDIR" "$ROOT"
	: >"$NESTRUN_LOG"
	cp -a "$tpl" "$BUNDLE/rootfs"
	rm -f "$BUNDLE/rootfs/.done"
	cp "$HELPERS_DIR/config.json" "$BUNDLE/config.json"
	cd "$BUNDLE" || return 1
	CGROUP_REL="$CGROUP_PREFIX/$(basename "$BATS_TEST_FILENAME" .bats)-${BATS_TEST_NUMBER}-$$-$RANDOM"
	update_config ".linux.cgroupsPath = \"/$CGROUP_REL\""
}

# Start recvtty on $CONSOLE_SOCKET; what the container prints lands in $TTY_OUTPUT.
# setup_recvtty [INPUT]
function setup_recvtty() {
	requires python3
	mkdir -p "$ROOT/tty"
	CONSOLE_SOCKET="$ROOT/tty/sock"
	TTY_OUTPUT="$ROOT/tty/output"
	local args=(--pid-file "$ROOT/tty/pid" --output "$TTY_OUTPUT")
	[ $# -gt 0 ] && args+=(--input "$1")
	(python3 "$RECVTTY" "${args[@]}" "$CONSOLE_SOCKET" </dev/null >"$ROOT/tty/log" 2>&1 &) &
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$CONSOLE_SOCKET" ] && [ -s "$ROOT/tty/pid" ] && return 0
		sleep 0.05
	done
	fail "recvtty did not start: $(cat "$ROOT/tty/log")"
}

# Wait until recvtty exits (the container closed its terminal).
function wait_recvtty() {
	local pid i
	pid=$(cat "$ROOT/tty/pid")
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "recvtty still running"
}

function teardown_recvtty() {
	[ -f "$ROOT/tty/pid" ] || return 0
	kill -9 "$(cat "$ROOT/tty/pid")" 2>/dev/null || true
	rm -f "$ROOT/tty/pid"
}

# Processes whose root, cwd or command line lie under $ROOT: the test's containers,
# hooks and helpers (the caller must not itself sit under $ROOT).  Prints their pids.
function processes_under_root() {
	{
		find /proc/[0-9]*/root /proc/[0-9]*/cwd -maxdepth 0 -lname "$ROOT/*" 2>/dev/null
		grep -alF -- "$ROOT/" /proc/[0-9]*/cmdline 2>/dev/null
	} | awk -F/ -v self="$$" -v me="$BASHPID" '$3 != self && $3 != me {print $3}' | sort -u
}

# Every --log line is a JSON object with level, msg and an RFC 3339 time (runc's form).
# shellcheck disable=SC2016
LOG_LINE_OK='all(.[]; type == "object" and (.level | type) == "string" and has("msg")
	and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")))'

# The health check: report (and then clean up) anything the test left behind.
function check_health() {
	local problems=() leaked i dir

	# State the runtime kept after `delete -f` of every container it lists.
	if [ -d "$NESTRUN_ROOT" ] && [ -n "$(ls -A "$NESTRUN_ROOT")" ]; then
		problems+=("state left under $NESTRUN_ROOT: $(find "$NESTRUN_ROOT" -mindepth 1 | tr '\n' ' ')")
	fi

	# Processes (containers get a moment to die after delete -f).
	for ((i = 0; i < 20; i++)); do
		leaked=$(processes_under_root)
		[ -z "$leaked" ] && break
		sleep 0.1
	done
	if [ -n "$leaked" ]; then
		local pid
		for pid in $leaked; do
			problems+=("process left: $pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)")
			kill -9 "$pid" 2>/dev/null
		done
		sleep 0.2
	fi

	# Mounts under the test's directory.
	leaked=$(awk -v r="$ROOT/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo)
	if [ -n "$leaked" ]; then
		problems+=("mounts left: $leaked")
		sort -r <<<"$leaked" | xargs -r -n1 umount -l 2>/dev/null
	fi

	# The test's cgroup, in every hierarchy.
	leaked=
	for dir in /sys/fs/cgroup/*/"$CGROUP_REL" /sys/fs/cgroup/"$CGROUP_REL"; do
		[ -d "$dir" ] && leaked+="$dir "
	done
	if [ -n "$leaked" ]; then
		problems+=("cgroups left: $leaked")
		for dir in $leaked; do
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	rmdir /sys/fs/cgroup/*/"$CGROUP_PREFIX" /sys/fs/cgroup/"$CGROUP_PREFIX" 2>/dev/null

	# The --log file: JSON lines only, and no error the test did not expect.
	if [ -s "$NESTRUN_LOG" ]; then
		if ! jq -se "$LOG_LINE_OK" "$NESTRUN_LOG" >/dev/null 2>&1; then
			problems+=("--log-format json wrote a line that is not {level, msg, RFC 3339 time}: $(cat "$NESTRUN_LOG")")
		fi
		if [ -z "${NR_EXPECT_ERROR:-}" ] && grep -q '"level":"error"' "$NESTRUN_LOG"; then
			problems+=("unexpected errors in --log: $(grep '"level":"error"' "$NESTRUN_LOG")")
		fi
	fi

	[ ${#problems[@]} -eq 0 ] && return 0
	printf 'health check: %s\n' "${problems[@]}" >&2
	return 1
}

# Delete every container the test left, then check health and remove $ROOT.
# Teardown's own runtime calls log elsewhere, so they don't count as the test's errors.
function teardown_bundle() {
	[ -z "${ROOT:-}" ] && return 0
	cd "$INTEGRATION_ROOT" || return 1
	teardown_recvtty
	local ct rc=0
	for ct in $("$NESTRUN" --root "$NESTRUN_ROOT" --log "$ROOT/teardown.log" list -q 2>/dev/null); do
		"$NESTRUN" --root "$NESTRUN_ROOT" --log "$ROOT/teardown.log" delete -f "$ct" >&2 2>&1 || true
	done
	check_health || rc=1
	rm -rf "$ROOT"
	unset ROOT
	return $rc
}

# ---- engine suites -----------------------------------------------------------------
# The engine suites (docker, containerd, CRI, podman, nested, image) drive the runtime
# through private daemons under one directory, and the engines give the runtime --log
# files inside bundles they delete.  engine_health_begin DIR [CGROUP_PARENT...] notes
# what is there before a test; engine_health_check, once the test's teardown removed
# its containers, fails on what the test added and left: a process running in a rootfs
# under DIR, a mount under DIR, runtime state (a state.json) under DIR, a cgroup under
# a parent, and error lines the runtime wrote to $NESTRUN_DEBUG_ERROR_LOG (common/
# debug.h; the suites export it before starting their daemons, whose runtimes inherit
# it) unless the test called expect_error.  runc ignores that variable: against the
# oracle the error check has nothing to read.

# One line per thing found, sorted: "process PID", "mount PATH", "state DIR", "cgroup DIR".
function __engine_snapshot() {
	local dir=$1 p r cg
	shift
	{
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/root" 2>/dev/null) || continue
			[[ "$r" == "$dir/"* ]] && echo "process ${p#/proc/}"
		done
		# (not dockerd's own bind of the host's network namespace, made at the first
		# --network host and kept for the daemon's life)
		awk -v r="$dir/" 'index($5, r) == 1 && $5 !~ /\/netns\/default$/ {print "mount " $5}' /proc/self/mountinfo
		# runtime state roots sit a few levels down; image data (vfs, overlay2,
		# snapshots, rootfs copies) holds no state.json worth the walk
		find "$dir" -maxdepth 8 \( -name vfs -o -name overlay2 -o -name snapshots -o -name rootfs \
			-o -name blobs -o -name layers \) -prune -o -name state.json -printf 'state %h\n' 2>/dev/null
		# (not podman's <parent>/conmon, made at the first run and kept)
		for cg in "$@"; do
			find /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}" -mindepth 1 -type d ! -name conmon \
				-printf 'cgroup %p\n' 2>/dev/null
		done
	} | LC_ALL=C sort -u
}

function engine_health_begin() {
	ENGINE_HEALTH_ARGS=("$@")
	ENGINE_HEALTH_BEFORE=$(__engine_snapshot "$@")
	ENGINE_ERRORS_AT=0
	if [ -n "${NESTRUN_DEBUG_ERROR_LOG:-}" ] && [ -f "$NESTRUN_DEBUG_ERROR_LOG" ]; then
		ENGINE_ERRORS_AT=$(wc -l <"$NESTRUN_DEBUG_ERROR_LOG")
	fi
	NR_EXPECT_ERROR=
}

function engine_health_check() {
	[ -n "${ENGINE_HEALTH_ARGS+x}" ] || return 0
	local new='' i line problems=() errors
	# engines tear containers down asynchronously (shim exit, cgroup and mount removal)
	for ((i = 0; i < 50; i++)); do
		new=$(LC_ALL=C comm -13 <(echo "$ENGINE_HEALTH_BEFORE") <(__engine_snapshot "${ENGINE_HEALTH_ARGS[@]}"))
		[ -z "$new" ] && break
		sleep 0.2
	done
	while read -r line; do
		[ -n "$line" ] || continue
		case $line in
		process\ *) problems+=("$line left: $(tr '\0' ' ' <"/proc/${line#process }/cmdline" 2>/dev/null)") ;;
		*) problems+=("$line left") ;;
		esac
	done <<<"$new"
	if [ -n "${NESTRUN_DEBUG_ERROR_LOG:-}" ] && [ -f "$NESTRUN_DEBUG_ERROR_LOG" ] && [ -z "${NR_EXPECT_ERROR:-}" ]; then
		errors=$(tail -n +"$((ENGINE_ERRORS_AT + 1))" "$NESTRUN_DEBUG_ERROR_LOG")
		[ -z "$errors" ] || problems+=("unexpected runtime errors: $errors")
	fi
	unset ENGINE_HEALTH_ARGS
	[ ${#problems[@]} -eq 0 ] && return 0
	printf 'engine health check: %s\n' "${problems[@]}" >&2
	return 1
}
