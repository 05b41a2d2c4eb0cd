#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Concurrency: many containers at once, and races on one id.  Operations on one id
# are serialized by the state directory's lock; its atomic creation is the point
# where exactly one `create` wins.

load helpers

function setup() {
	setup_bundle
}

function teardown() {
	teardown_bundle
}

# nr ARGS...: the runtime under test without bats' run (for background jobs)
function nr() {
	"$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json "$@" </dev/null
}

@test "50 parallel create/start/delete of distinct ids" {
	set_args nr-payload pause
	local i pids=() fails=0
	# one bundle (and cgroup) each, sharing the rootfs
	for i in $(seq 50); do
		mkdir "$ROOT/b-$i"
		jq --arg r "$BUNDLE/rootfs" --arg c "/$CGROUP_REL/par-$i" '.root.path = $r | .linux.cgroupsPath = $c' \
			"$BUNDLE/config.json" >"$ROOT/b-$i/config.json"
	done
	for i in $(seq 50); do
		(nr create --bundle "$ROOT/b-$i" "par-$i" >"$ROOT/out-$i" 2>&1 && nr start "par-$i" >>"$ROOT/out-$i" 2>&1 &&
			nr delete --force "par-$i" >>"$ROOT/out-$i" 2>&1) &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { fails=$((fails + 1)); cat "$ROOT/out-$((i + 1))" >&2; }
	done
	[ "$fails" -eq 0 ] || fail "$fails of 50 create/start/delete failed"
	nestrun list -q
	[ -z "$output" ] || fail "containers left: $output"
	# the per-container cgroups are gone; their common parent is the test's to remove
	local d
	for d in /sys/fs/cgroup/*/"$CGROUP_REL"; do
		[ -z "$(find "$d" -mindepth 1 -type d)" ] || fail "cgroups left under $d: $(find "$d" -mindepth 1 -type d)"
		rmdir "$d"
	done
}

@test "create + create on one id: exactly one wins, the loser gets 'already exists'" {
	expect_error # the losers log theirs
	set_args nr-payload pause
	local i r
	for r in 1 2 3; do
		local pids=()
		rm -f "$ROOT"/cc-*
		for i in 1 2 3 4; do
			# bats runs tests under errexit, which background subshells inherit
			(if nr create same >"$ROOT/cc-$i" 2>&1; then echo 0; else echo $?; fi >"$ROOT/cc-$i.rc") &
			pids+=($!)
		done
		wait "${pids[@]}" || true
		local wins=0
		for i in 1 2 3 4; do
			if [ "$(cat "$ROOT/cc-$i.rc")" -eq 0 ]; then
				wins=$((wins + 1))
			else
				grep -q "already exists" "$ROOT/cc-$i" || fail "loser's error: $(cat "$ROOT/cc-$i")"
			fi
		done
		[ "$wins" -eq 1 ] || fail "$wins creates of one id won (round $r)"
		testcontainer same created
		nestrun delete --force same
		[ "$status" -eq 0 ]
	done
	expect_error
}

@test "delete + start on one id: no corruption, a clear error for the loser" {
	local r
	for r in 1 2 3 4 5; do
		set_args nr-payload pause
		nestrun create ds
		[ "$status" -eq 0 ]
		(nr start ds >"$ROOT/s" 2>&1; echo $? >"$ROOT/s.rc") &
		local p1=$!
		(nr delete --force ds >"$ROOT/d" 2>&1; echo $? >"$ROOT/d.rc") &
		wait "$p1" $! || true
		echo "start: $(cat "$ROOT/s.rc") $(cat "$ROOT/s"); delete: $(cat "$ROOT/d.rc") $(cat "$ROOT/d")" >&2
		# delete --force always wins in the end; start either ran first or says why not
		[ "$(cat "$ROOT/d.rc")" -eq 0 ]
		if [ "$(cat "$ROOT/s.rc")" -ne 0 ]; then
			grep -Eq "does not exist|stopped|not created" "$ROOT/s" || fail "start's error: $(cat "$ROOT/s")"
		fi
		nestrun state ds
		[ "$status" -ne 0 ] && [[ "$output" == *"does not exist"* ]]
	done
	expect_error
}

@test "kill + delete on one id: no corruption, delete wins" {
	local r
	for r in 1 2 3 4 5; do
		set_args nr-payload pause
		nestrun run -d kd
		[ "$status" -eq 0 ]
		(nr kill kd KILL >"$ROOT/k" 2>&1; echo $? >"$ROOT/k.rc") &
		local p1=$!
		(nr delete --force kd >"$ROOT/d" 2>&1; echo $? >"$ROOT/d.rc") &
		wait "$p1" $! || true
		echo "kill: $(cat "$ROOT/k.rc") $(cat "$ROOT/k"); delete: $(cat "$ROOT/d.rc") $(cat "$ROOT/d")" >&2
		[ "$(cat "$ROOT/d.rc")" -eq 0 ]
		if [ "$(cat "$ROOT/k.rc")" -ne 0 ]; then
			grep -Eq "does not exist|not running|stopped" "$ROOT/k" || fail "kill's error: $(cat "$ROOT/k")"
		fi
		nestrun state kd
		[ "$status" -ne 0 ]
	done
	expect_error
}
