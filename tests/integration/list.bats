#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `list`: table, -q, --format json.

load helpers

function setup() {
	setup_bundle
	set_args nr-payload pause
}

function teardown() {
	teardown_bundle
}

@test "list of an empty root prints only the table header" {
	nestrun list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER ]]

	nestrun list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	nestrun list --format json
	[ "$status" -eq 0 ]
	# runc prints "null" for no containers; an empty array is as good.
	[[ "$output" == "null" || "$(echo "$output" | jq length)" == 0 ]]
}

@test "list shows created, running and stopped containers" {
	nestrun create ct-created
	[ "$status" -eq 0 ]
	nestrun run -d ct-running
	[ "$status" -eq 0 ]
	set_args nr-payload exit 0
	nestrun run --keep ct-stopped
	[ "$status" -eq 0 ]

	nestrun list -q
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "ct-created ct-running ct-stopped " ]

	nestrun list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" =~ ct-created\ +[0-9]+\ +created\ +$BUNDLE ]]
	[[ "$output" =~ ct-running\ +[0-9]+\ +running\ +$BUNDLE ]]
	[[ "$output" =~ ct-stopped\ +0\ +stopped\ +$BUNDLE ]]

	nestrun list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'length == 3'
	echo "$output" | jq -e '.[] | select(.id == "ct-running") | .status == "running" and .pid > 0'
	echo "$output" | jq -e '.[] | select(.id == "ct-created") | .status == "created" and .pid > 0'
	echo "$output" | jq -e '.[] | select(.id == "ct-stopped") | .status == "stopped" and .pid == 0'
	echo "$output" | jq -e --arg b "$BUNDLE" 'all(.[]; .bundle == $b and (.created | test("^[0-9]{4}-")) and has("ociVersion") and has("rootfs") and has("owner"))'
}

@test "list --format table is the default" {
	nestrun run -d ct1
	[ "$status" -eq 0 ]
	nestrun list --format table
	[ "$status" -eq 0 ]
	local table=$output
	nestrun list
	[ "$output" = "$table" ]
}

@test "list with an unknown format is refused" {
	expect_error
	nestrun list --format yaml
	[ "$status" -ne 0 ]
}

@test "list of a missing root is empty, not an error" {
	NESTRUN_ROOT="$ROOT/no-such-root"
	nestrun list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$ROOT/no-such-root" ] || rm -rf "$ROOT/no-such-root"
	export NESTRUN_ROOT="$ROOT/state"
}
