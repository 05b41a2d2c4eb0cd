#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `spec`: a default config.json in runc's shape.

load helpers

function setup() {
	setup_bundle
	mkdir "$ROOT/spec"
	cd "$ROOT/spec" || return 1
}

function teardown() {
	teardown_bundle
}

@test "spec writes config.json in the current directory with runc's default shape" {
	nestrun spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	jq -e . config.json >/dev/null
	jq -e '.ociVersion | test("^1\\.")' config.json
	jq -e '.root == {"path": "rootfs", "readonly": true}' config.json
	jq -e '.process.terminal == true and .process.args == ["sh"] and .process.cwd == "/"' config.json
	jq -e '.process.user.uid == 0 and .process.user.gid == 0' config.json
	jq -e '.process.env | index("TERM=xterm") != null' config.json
	jq -e '.process.env | any(startswith("PATH="))' config.json
	jq -e '.process.noNewPrivileges == true' config.json
	jq -e '.process.rlimits == [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]' config.json
	local caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
	jq -e ".process.capabilities | .bounding == $caps and .effective == $caps and .permitted == $caps" config.json
	jq -e '[.mounts[].destination] == ["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys","/sys/fs/cgroup"]' config.json
	jq -e '.mounts[] | select(.destination == "/sys/fs/cgroup") | .options | index("ro") != null' config.json
	jq -e '[.linux.namespaces[].type] | sort == ["ipc","mount","network","pid","uts"]' config.json
	jq -e '.linux.resources.devices == [{"allow": false, "access": "rwm"}]' config.json
	jq -e '.linux.maskedPaths | index("/proc/kcore") != null and index("/sys/firmware") != null' config.json
	jq -e '.linux.readonlyPaths | index("/proc/sys") != null and index("/proc/sysrq-trigger") != null' config.json
	jq -e '.hostname | type == "string"' config.json
}

@test "spec --bundle writes into the bundle directory" {
	mkdir other
	nestrun spec --bundle "$ROOT/spec/other"
	[ "$status" -eq 0 ]
	[ -f other/config.json ]
	[ ! -e config.json ]
	jq -e . other/config.json >/dev/null
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{}' >config.json
	expect_error
	nestrun spec
	[ "$status" -ne 0 ]
	[[ "$output" == *exists* ]]
	[ "$(cat config.json)" = '{}' ]
}

@test "spec --rootless adds a user namespace with mappings of the caller" {
	nestrun spec --rootless
	[ "$status" -eq 0 ]
	jq -e '[.linux.namespaces[].type] | index("user") != null' config.json
	jq -e '[.linux.namespaces[].type] | index("network") == null' config.json
	jq -e --argjson u "$(id -u)" '.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}]' config.json
	jq -e --argjson g "$(id -g)" '.linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]' config.json
	jq -e '.linux.resources == null or .linux.resources == {}' config.json
	jq -e '.mounts[] | select(.destination == "/sys") | .type == "none" and (.options | index("rbind") != null)' config.json
}

@test "the default spec runs (with a payload instead of an interactive sh)" {
	nestrun spec
	[ "$status" -eq 0 ]
	cp -a "$BUNDLE/rootfs" rootfs
	jq '.process.terminal = false | .process.args = ["nr-payload", "ids"]
		| .linux.cgroupsPath = "/'"$CGROUP_REL"'"' config.json >c && mv c config.json
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "uid=0 gid=0 groups=0" ] || [ "$output" = "uid=0 gid=0 groups=" ]
}
