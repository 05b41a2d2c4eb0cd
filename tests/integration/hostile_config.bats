#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hostile config.json (issue 6): paths that try to leave the rootfs, /proc and /sys
# tricks, masked and read-only paths that are symlinks, absurd devices, oversized
# and deeply nested JSON (config.json, exec --process, update --resources).
#
# Every case is either refused with an error naming the field or path and the
# errno, or contained: what it names resolves inside the rootfs.  $OUTSIDE, a host
# directory beside the bundle that every attack aims at, must end exactly as setup
# left it, and teardown's health check fails the test on any state, mount, cgroup
# or process left behind.
#
# Runtime-spec timing makes one attack impossible here: config mounts are made
# before any hook runs (runc does the same), so a hook can swap a symlink in only
# before the masked and read-only paths, which are applied after pivot_root; that
# is the hook case below.  Hooks that hang are hooks.bats' "a hook that overruns
# its timeout is killed and fails create".
#
# runc (NESTRUN=/usr/sbin/runc, 1.1.5) differs where a test says so in a comment:
# it creates the missing target of a dangling symlink inside the rootfs where
# nestrun refuses with ENOENT, it checks /proc destinations only on the literal
# path, it truncates device numbers, and it reads config.json of any size.

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
	OUTSIDE="$ROOT/outside"
	mkdir -p "$OUTSIDE/dir"
	echo host >"$OUTSIDE/file"
	OUTSIDE_BEFORE=$(outside_fingerprint)
}

function teardown() {
	if [ -n "${OUTSIDE_BEFORE:-}" ] && [ "$(outside_fingerprint)" != "$OUTSIDE_BEFORE" ]; then
		echo "outside changed: $(find "$OUTSIDE" -printf '%p %y %m\n')" >&2
		teardown_bundle
		return 1
	fi
	teardown_bundle
}

# Every entry of $OUTSIDE with type, mode, owner, size and content digest.
function outside_fingerprint() {
	(cd "$OUTSIDE" && find . -printf '%p %y %m %u %g %s\n' | sort && find . -type f -exec cat {} +) | sha256sum
}

# The host directory is as setup made it and nothing is mounted on it.
function outside_untouched() {
	[ "$(outside_fingerprint)" = "$OUTSIDE_BEFORE" ] || fail "$OUTSIDE changed: $(find "$OUTSIDE" -printf '%p %y %m\n')"
	! awk -v o="$OUTSIDE" '$5 == o || index($5, o "/") == 1' /proc/self/mountinfo | grep -q . ||
		fail "a mount on $OUTSIDE"
}

# The host path $OUTSIDE as a relative link target from rootfs/$1 (enough "..").
function up_to_host() {
	local depth
	depth=$(($(tr -cd / <<<"$BUNDLE/rootfs/$1" | wc -c) + 3))
	printf '../%.0s' $(seq "$depth")
	echo "${OUTSIDE#/}"
}

# The last command failed, and not by a signal (a crash, a stack overflow).
function failed_cleanly() {
	[ "$status" -ne 0 ] || fail "accepted"
	[ "$status" -le 128 ] || [ "$status" -gt 192 ] || fail "killed by signal $((status - 128))"
}

# refused PATTERN: the last command failed, its last --log error matches PATTERN
# (an extended regex) and the container is gone.
function refused() {
	failed_cleanly
	expect_error
	assert_log_error "$1"
	[ -z "$(ls -A "$NESTRUN_ROOT")" ] || fail "state left: $(ls -A "$NESTRUN_ROOT")"
}

# ---- mount destinations through symlinks and ".." ----------------------------

@test "mount destinations through symlinks to a host directory: refused or kept inside the rootfs" {
	local kind link
	for kind in absolute relative chain; do
		case $kind in
		absolute) ln -s "$OUTSIDE" rootfs/evil ;;
		relative) ln -s "$(up_to_host evil)" rootfs/evil ;;
		chain)
			# evil -> hop/dir, hop -> ../../..<host>: on the host evil is $OUTSIDE/dir
			ln -s "hop/dir" rootfs/evil
			ln -s "$(up_to_host hop)" rootfs/hop
			;;
		esac
		for link in /evil /evil/sub; do
			cp "$HELPERS_DIR/config.json" config.json
			update_config ".linux.cgroupsPath = \"/$CGROUP_REL\" | .mounts += [{\"destination\": \"$link\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
			set_args true
			nestrun run ct
			if [ -n "$NESTRUN_IS_RUNC" ]; then
				# runc creates the link's missing target inside the rootfs and mounts there
				[ "$status" -eq 0 ] || fail "runc refused $kind $link"
				[ -d "rootfs$OUTSIDE" ]
			else
				# the target does not exist in the rootfs: mkdir through a dangling link is refused
				refused "mount destination \"$link\": mkdir \"$link\": openat2 \"evil\" in root: No such file or directory"
			fi
			outside_untouched
		done
		rm -rf rootfs/evil rootfs/hop "rootfs$OUTSIDE"
	done
}

@test "a symlink whose target exists in the rootfs takes the mount there, not on the host" {
	mkdir -p "rootfs$OUTSIDE"
	ln -s "$OUTSIDE" rootfs/abs
	ln -s "$(up_to_host rel)" rootfs/rel
	update_config '.mounts += [{"destination": "/abs", "type": "tmpfs", "source": "tmpfs", "options": ["size=1k"]},
		{"destination": "/rel/dir", "type": "tmpfs", "source": "tmpfs", "options": ["size=2k"]}]'
	set_args sh -c "grep -c ' $OUTSIDE ' /proc/self/mountinfo; grep -c ' $OUTSIDE/dir ' /proc/self/mountinfo; ls $OUTSIDE"
	nestrun run ct
	[ "$status" -eq 0 ]
	# in the container both mounts are at the in-rootfs path the links name
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = dir ] # the container's own (tmpfs) view, not the host's "dir file"
	outside_untouched
}

@test "a file bind mount through a symlinked parent creates nothing on the host" {
	echo src >"$ROOT/src"
	ln -s "$OUTSIDE" rootfs/evil
	update_config '.mounts += [{"destination": "/evil/newfile", "type": "bind", "source": "'"$ROOT/src"'", "options": ["bind"]}]'
	nestrun run ct
	if [ -n "$NESTRUN_IS_RUNC" ]; then
		[ "$status" -eq 0 ]
		[ -f "rootfs$OUTSIDE/newfile" ] # runc: made inside the rootfs
	else
		refused 'mount destination "/evil/newfile": mkdir "/evil": .*No such file or directory'
	fi
	outside_untouched
}

@test "\"..\" in a mount destination stays inside the rootfs" {
	update_config '.mounts += [{"destination": "/../../../../../../..'"$OUTSIDE"'/sub", "type": "tmpfs", "source": "tmpfs"}]'
	set_args nr-payload mount-info "$OUTSIDE/sub"
	nestrun run ct
	[ "$status" -eq 0 ]
	[[ "$output" == tmpfs* ]]
	[ -d "rootfs$OUTSIDE/sub" ]
	outside_untouched
}

@test "process.cwd with \"..\" or through a symlink stays inside the rootfs" {
	update_config '.process.cwd = "/../../../../tmp/x"'
	set_args nr-payload cwd
	nestrun run ct
	[ "$status" -eq 0 ]
	[ "$output" = /tmp/x ]

	ln -s "$OUTSIDE" rootfs/evil
	update_config '.process.cwd = "/evil/newdir"'
	nestrun run ct2
	# runc: "mkdir /evil: file exists"; nestrun: the dangling link, ENOENT
	refused '(process.cwd: mkdir "/evil/newdir": openat2 "evil" in root: No such file or directory|mkdir /evil: file exists)'
	outside_untouched
}

# ---- masked and read-only paths ----------------------------------------------

@test "masked and read-only paths with \"..\" resolve in the container" {
	mkdir -p "rootfs$OUTSIDE/ro"
	echo inside >"rootfs$OUTSIDE/file"
	update_config '.linux.maskedPaths = ["/../../..'"$OUTSIDE"'/file"] | .linux.readonlyPaths = ["/../../..'"$OUTSIDE"'/ro"]'
	set_args sh -c "cat $OUTSIDE/file | wc -c; nr-payload touch-ro $OUTSIDE/ro/x"
	nestrun run ct
	[ "${lines[0]}" = 0 ]    # masked with /dev/null
	[ "${lines[1]}" = EROFS ] # read-only
	outside_untouched
}

@test "masked and read-only paths that are symlinks apply to their target in the container" {
	# to a host path: in the container that path does not exist, nothing is masked or bound
	ln -s "$OUTSIDE/file" rootfs/etc/secret
	ln -s "$OUTSIDE/dir" rootfs/rolink
	# to a path in the rootfs: that path is masked / made read-only (runc does the same)
	ln -s /etc/passwd rootfs/etc/passwd-link
	mkdir rootfs/data
	ln -s /data rootfs/datalink
	update_config '.linux.maskedPaths = ["/etc/secret", "/etc/passwd-link"] | .linux.readonlyPaths = ["/rolink", "/datalink"]'
	set_args sh -c 'cat /etc/secret 2>&1; ls /rolink/ 2>&1; wc -c </etc/passwd; nr-payload touch-ro /data/x'
	nestrun run ct
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"No such file"* ]]
	[[ "${lines[1]}" == *"No such file"* ]]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = EROFS ]
	outside_untouched
}

@test "a createRuntime hook that swaps masked and read-only paths for host symlinks exposes nothing" {
	mkdir rootfs/ro
	echo image >rootfs/secret
	cat >"$ROOT/swap.sh" <<-EOF
		#!/bin/sh
		rm -rf "$BUNDLE/rootfs/ro" "$BUNDLE/rootfs/secret"
		ln -s "$OUTSIDE" "$BUNDLE/rootfs/ro"
		ln -s "$OUTSIDE/file" "$BUNDLE/rootfs/secret"
	EOF
	chmod 755 "$ROOT/swap.sh"
	update_config '.hooks.createRuntime = [{"path": "'"$ROOT/swap.sh"'"}]
		| .linux.maskedPaths = ["/secret"] | .linux.readonlyPaths = ["/ro"]'
	# had the paths been resolved on the host, /ro would show the host's "dir file"
	set_args sh -c 'ls /ro/ 2>&1; cat /secret 2>&1; true'
	nestrun run ct
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"No such file"* ]]
	[[ "${lines[1]}" == *"No such file"* ]]
	outside_untouched
}

# ---- /proc and /sys ------------------------------------------------------------

@test "mounts over /proc/self, /proc/1 and /proc itself are refused (runc's checkProcMount)" {
	local dest
	for dest in /proc/self /proc/1 /proc; do
		cp "$HELPERS_DIR/config.json" config.json
		update_config ".linux.cgroupsPath = \"/$CGROUP_REL\" | .mounts += [{\"destination\": \"$dest\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
		nestrun run ct
		if [ -n "$NESTRUN_IS_RUNC" ]; then
			# runc 1.1.5 mounts them and fails later ("open /proc/self/fd")
			[ "$status" -ne 0 ]
			expect_error
		elif [ "$dest" = /proc ]; then
			refused 'mount destination "/proc" is /proc: only procfs may be mounted there: Operation not permitted'
		else
			refused "mount destination \"$dest\" is inside /proc \\(\"/proc/1\"\\).*: Operation not permitted"
		fi
	done
}

@test "a /proc destination reached through a symlink or /sys/.. is refused" {
	# runc 1.1.5 checks the literal path only and mounts over /proc/sys here
	requires not_runc
	ln -s /proc rootfs/myproc
	local dest
	for dest in /myproc/sys/kernel /sys/../proc/sys /dev/../proc/sysrq-trigger; do
		cp "$HELPERS_DIR/config.json" config.json
		update_config ".linux.cgroupsPath = \"/$CGROUP_REL\" | .mounts += [{\"destination\": \"$dest\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
		nestrun run ct
		refused "mount destination \"${dest//./\\.}\" is inside /proc \\(\"/proc/.*\"\\).*: Operation not permitted"
	done
}

@test "the files lxcfs emulates may be bound over /proc, and /sys binds stay in the container" {
	echo fake-cpuinfo >"$ROOT/cpuinfo"
	echo fake-uptime >"$ROOT/uptime"
	update_config '.mounts += [
		{"destination": "/proc/cpuinfo", "type": "bind", "source": "'"$ROOT/cpuinfo"'", "options": ["bind"]},
		{"destination": "/proc/uptime", "type": "bind", "source": "'"$ROOT/uptime"'", "options": ["bind"]},
		{"destination": "/sys/kernel/mm", "type": "tmpfs", "source": "tmpfs"}]'
	set_args sh -c 'cat /proc/cpuinfo /proc/uptime; nr-payload mount-info /sys/kernel/mm'
	nestrun run ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = fake-cpuinfo ]
	[ "${lines[1]}" = fake-uptime ]
	[[ "${lines[2]}" == tmpfs* ]]
	# the host's /sys is untouched
	run ! grep -q ' /sys/kernel/mm ' /proc/self/mountinfo
}

# ---- devices -------------------------------------------------------------------

@test "device numbers beyond the kernel's 12/20-bit range are refused, naming the field" {
	# runc 1.1.5 truncates them: major 4294967297 minor 1 became /dev/mem's 1:1
	requires not_runc
	local spec
	local spec maj min field v
	for spec in '4096 0 major' '4294967297 1 major' '1 1048576 minor' '1 4294967299 minor'; do
		read -r maj min field <<<"$spec"
		update_config ".linux.devices = [{\"path\": \"/dev/absurd\", \"type\": \"c\", \"major\": $maj, \"minor\": $min}]"
		nestrun run ct
		[ "$field" = major ] && v=$maj || v=$min
		refused "config.json: \"linux.devices\\[0\\]\\.$field\": $v is beyond the kernel's range"
	done
	update_config '.linux.devices = [] | .linux.resources.devices = [{"allow": true, "type": "c", "major": 4294967297, "minor": 1, "access": "rwm"}]'
	nestrun run ct
	refused 'config.json: "linux.resources.devices\[0\]\.major": 4294967297 is out of range'
}

@test "device paths with \"..\" or through a symlink are made inside the rootfs or refused" {
	update_config '.linux.devices = [{"path": "/dev/../../../../..'"$OUTSIDE"'/null", "type": "c", "major": 1, "minor": 3}]'
	set_args nr-payload stat "$OUTSIDE/null"
	nestrun run ct
	[ "$status" -eq 0 ]
	[[ "$output" == "char "*" 1 3" ]]
	[ -c "rootfs$OUTSIDE/null" ]
	outside_untouched

	rm -rf "rootfs$OUTSIDE"
	ln -s "$OUTSIDE" rootfs/tmp/evil
	update_config '.linux.devices = [{"path": "/tmp/evil/zero", "type": "c", "major": 1, "minor": 5}]'
	set_args true
	nestrun run ct2
	if [ -n "$NESTRUN_IS_RUNC" ]; then
		[ "$status" -eq 0 ] # runc makes the link's target inside the rootfs
	else
		refused 'mkdir "/tmp/evil": openat2 "tmp/evil" in root: No such file or directory'
	fi
	[ ! -e "$OUTSIDE/zero" ]
	outside_untouched
}

# ---- oversized and deeply nested JSON -----------------------------------------

# nested FILE: a JSON document 100,000 arrays deep in an object
function nested() {
	python3 -c 'import sys; sys.stdout.write("{\"x\":" + "[" * 100000 + "]" * 100000 + "}")' >"$1"
}

@test "config.json nested 100,000 levels deep is refused without a stack overflow" {
	requires python3
	nested "$ROOT/deep.json"
	python3 -c 'import sys; c=open("config.json").read().rstrip(); sys.stdout.write(c[:-1] + ",\"deep\":" + open(sys.argv[1]).read() + "}")' \
		"$ROOT/deep.json" >"$ROOT/config.new"
	mv "$ROOT/config.new" config.json
	nestrun run ct
	# runc (Go's encoding/json): "exceeded max depth"
	refused '(config.json: JSON nested deeper than 128 levels|exceeded max depth)'
}

@test "config.json over 64 MiB is refused before it is parsed, with bounded memory" {
	# runc reads and runs it
	requires not_runc python3
	python3 -c 'import json; c=json.load(open("config.json")); c["annotations"]={"big":"x"*(65<<20)}; json.dump(c,open("config.json","w"))'
	local rss
	run /usr/bin/time -f 'maxrss=%M' "$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json run ct
	echo "$output" >&2
	refused 'config.json": input larger than 67108864 bytes: File too large'
	rss=$(sed -n 's/^maxrss=//p' <<<"$output")
	# 64 MiB read, then refused; ASan's shadow and quarantine come on top
	if ! grep -q __asan_init "$NESTRUN"; then
		[ "$rss" -lt $((200 * 1024)) ] || fail "peak RSS ${rss} KiB"
	fi
}

@test "a config.json with a 2 MiB annotation runs, and its state stays readable" {
	requires python3
	python3 -c 'import json; c=json.load(open("config.json")); c["annotations"]={"big":"x"*(2<<20)}; c["process"]["args"]=["nr-payload","pause"]; json.dump(c,open("config.json","w"))'
	nestrun run -d ct
	[ "$status" -eq 0 ]
	nestrun state ct
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.annotations.big | length')" = $((2 << 20)) ]
	nestrun list -q
	[ "$output" = ct ]
	nestrun delete -f ct
	[ "$status" -eq 0 ]
}

@test "exec --process and update --resources refuse deep and oversized documents" {
	requires python3
	set_args nr-payload pause
	nestrun run -d ct
	[ "$status" -eq 0 ]
	nested "$ROOT/deep.json"
	nestrun exec --process "$ROOT/deep.json" ct
	failed_cleanly
	expect_error
	assert_log_error '(JSON nested deeper than 128 levels|exceeded max depth)'
	nestrun update --resources "$ROOT/deep.json" ct
	failed_cleanly
	assert_log_error '(JSON nested deeper than 128 levels|exceeded max depth)'
	if [ -z "$NESTRUN_IS_RUNC" ]; then
		# 65 MiB of JSON whitespace around a valid document: runc would accept it
		python3 -c 'import sys; sys.stdout.write("{\"args\":[\"true\"],\"cwd\":\"/\"}" + " " * (65 << 20))' >"$ROOT/big.json"
		nestrun exec --process "$ROOT/big.json" ct
		[ "$status" -ne 0 ]
		assert_log_error 'big.json": input larger than [0-9]+ bytes: File too large'
		nestrun update --resources "$ROOT/big.json" ct
		[ "$status" -ne 0 ]
		assert_log_error 'big.json": input larger than [0-9]+ bytes: File too large'
	fi
	# the container is unharmed
	testcontainer ct running
	nestrun delete -f ct
	[ "$status" -eq 0 ]
}
