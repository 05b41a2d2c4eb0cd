#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `features` (runtime-spec features.md): a valid document, truthful about this build.

load helpers

function setup() {
	setup_bundle
}

function teardown() {
	teardown_bundle
}

@test "features prints the features document" {
	run "$NESTRUN" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ociVersionMin and .ociVersionMax'
	echo "$output" | jq -e '.hooks | index("createContainer") and index("poststop")'
	echo "$output" | jq -e '.linux.namespaces | index("pid") and index("user") and index("cgroup")'
	echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")'
}

@test "features lists the mount options and seccomp support this build has" {
	requires not_runc
	run "$NESTRUN" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.mountOptions | index("rro") and index("rbind") and index("nosuid")'
	echo "$output" | jq -e '.linux.seccomp.enabled == true and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))'
	echo "$output" | jq -e '.linux.cgroup.v1 == true and .linux.cgroup.v2 == true and .linux.cgroup.systemd == false'
}

@test "features takes no arguments" {
	run "$NESTRUN" features extra
	[ "$status" -ne 0 ]
}
