#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp: actions, errnoRet, argument filters, Docker's default profile.

load helpers

function setup() {
	requires seccomp
	setup_bundle
}

function teardown() {
	teardown_bundle
}

ARCHES='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'

# seccomp_rules RULES-JSON-ARRAY [DEFAULT-ACTION]
function seccomp_rules() {
	update_config '.linux.seccomp = {"defaultAction": "'"${2:-SCMP_ACT_ALLOW}"'",
		"architectures": '"$ARCHES"', "syscalls": '"$1"'}'
}

@test "a filter is installed (Seccomp: 2)" {
	seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args nr-payload seccomp-mode
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
}

@test "no seccomp section: no filter (Seccomp: 0)" {
	set_args nr-payload seccomp-mode
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "SCMP_ACT_ERRNO without errnoRet denies mkdir with EPERM" {
	seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args nr-payload syscall-errno mkdir /tmp/d
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = EPERM ]
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "errnoRet chooses the errno" {
	seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	set_args sh -c 'nr-payload syscall-errno mkdir /tmp/d; nr-payload syscall-errno chmod /tmp'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EACCES ]
	[ "${lines[1]}" = ENOSYS ]
}

@test "other syscalls are still allowed" {
	seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args sh -c 'nr-payload syscall-errno chmod /tmp; nr-payload write /tmp/f data && cat /tmp/f'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = OK ]
	[ "${lines[1]}" = data ]
}

@test "argument filters: personality(255) is denied, personality(query) allowed" {
	seccomp_rules '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 255, "op": "SCMP_CMP_EQ"}]}]'
	set_args sh -c 'nr-payload syscall-errno personality 255; nr-payload syscall-errno personality 0xffffffff'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EPERM ]
	[ "${lines[1]}" = OK ]
}

@test "SCMP_ACT_KILL_PROCESS kills the process with SIGSYS" {
	seccomp_rules '[{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	set_args nr-payload pid
	nestrun run ct1
	[ "$status" -eq 159 ]
}

@test "unknown syscall names are ignored (as runc), the rest applies" {
	seccomp_rules '[{"names": ["no_such_syscall_nr", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args nr-payload syscall-errno mkdir /tmp/d
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = EPERM ]
}

@test "an unknown action is refused" {
	seccomp_rules '[{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]'
	expect_error
	nestrun run ct1
	[ "$status" -ne 0 ]
}

@test "the filter is installed after the user switch: noNewPrivileges false with a non-root user" {
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args sh -c 'nr-payload seccomp-mode; nr-payload syscall-errno mkdir /tmp/d'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = EPERM ]
}

@test "Docker's default profile loads and behaves" {
	local profile="$TESTDATA/seccomp/docker-default.json"
	[ -f "$profile" ] || skip "requires $profile (not in this tree yet)"
	update_config ".linux.seccomp = $(jq -c . "$profile")"
	set_args sh -c 'nr-payload seccomp-mode; nr-payload syscall-errno mkdir /tmp/d; nr-payload syscall-errno keyctl; nr-payload syscall-errno unshare; nr-payload syscall-errno personality 0xffffffff'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = OK ]
	[ "${lines[2]}" = EPERM ]
	[ "${lines[3]}" = EPERM ]
	[ "${lines[4]}" = OK ]
}
