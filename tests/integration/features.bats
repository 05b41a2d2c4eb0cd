#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `features` (runtime-spec features.md): a valid document, truthful about this build.

load helpers

# Only the tests that run a container make a bundle.
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

@test "every namespace features lists is one a container gets" {
	requires root userns
	setup_bundle
	local nss n json
	nss=$(runtime_features | jq -r '.linux.namespaces[]')
	[ -n "$nss" ]
	# all of them at once: user needs mappings and a rootfs the mapped root reaches
	json=$(jq -cn --arg l "$nss" '$l | split("\n") | map({type: .})')
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config ".linux.namespaces = $json
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"
	# the payload names /proc/self/ns files: mount is mnt, network net
	set_args sh -c "for n in $(sed 's/^mount$/mnt/; s/^network$/net/' <<<"$nss" | tr '\n' ' '); do echo \$n \$(nr-payload ns \$n); done"
	nestrun run ct
	[ "$status" -eq 0 ]
	for n in $(sed 's/^mount$/mnt/; s/^network$/net/' <<<"$nss"); do
		grep -q "^$n " <<<"$output" || fail "no line for $n"
		[ "$(awk -v n="$n" '$1 == n {print $2}' <<<"$output")" != "$(readlink "/proc/self/ns/$n")" ] ||
			fail "namespace $n is the host's"
	done
}

@test "every seccomp action, operator and little-endian architecture features lists loads" {
	requires root seccomp
	setup_bundle
	local f
	f=$(runtime_features)
	jq -e '.linux.seccomp.enabled == true' <<<"$f" || skip "this build has no seccomp"
	# one filter: a rule per action (NOTIFY needs a listener, ALLOW is the default) and
	# per operator, on syscalls the payload never makes; every little-endian architecture
	# listed (libseccomp cannot mix byte orders in one filter)
	local filter
	filter=$(jq -c '.linux.seccomp as $s
		| ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
			"SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64"] as $big
		| [$s.actions[] | select(. != "SCMP_ACT_NOTIFY" and . != "SCMP_ACT_ALLOW")] as $a
		| ["acct", "swapon", "swapoff", "quotactl", "vhangup", "pivot_root", "syslog", "kexec_load"] as $names
		| {defaultAction: "SCMP_ACT_ALLOW", architectures: [$s.archs[] | select(. as $x | $big | index($x) | not)],
			syscalls: ([range($a | length) | {names: [$names[.]], action: $a[.]}]
				+ [$s.operators | to_entries[] | {names: ["setdomainname"], action: "SCMP_ACT_ERRNO",
					args: [{index: 1, value: (.key + 10), valueTwo: 255, op: .value}]}])}' <<<"$f")
	update_config ".linux.seccomp = $filter"
	jq -e '.linux.seccomp.syscalls | length >= 10' "$BUNDLE/config.json"
	set_args nr-payload seccomp-mode
	nestrun run ct
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
}

@test "features says systemd cgroups are off, and --systemd-cgroup is refused (nestrun only)" {
	# runc has a systemd driver; nestrun has none and says so in both places
	requires not_runc
	runtime_features | jq -e '.linux.cgroup.systemd == false and .linux.cgroup.systemdUser == false'
	setup_bundle
	expect_error
	run "$NESTRUN" --root "$NESTRUN_ROOT" --log "$NESTRUN_LOG" --log-format json --systemd-cgroup run ct
	[ "$status" -ne 0 ]
	[[ "$output" == *systemd* ]]
}
