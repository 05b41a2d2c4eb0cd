#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `nestrun setup docker|podman [--dry-run]` (containerd's is in containerd.bats): the
# engine's config file is merged, never clobbered, with a backup of what was there;
# --dry-run prints the change and the new file and writes nothing.  Every test points
# --config at a file of its own: /etc/docker/daemon.json and /etc/containers are never
# read or written here.  nestrun only: runc has no setup command.

load helpers

function setup() {
	requires not_runc
	SETUP_DIR=$(mktemp -d "$BATS_RUN_TMPDIR/setup.XXXXXX")
	SETUP_LOG="$SETUP_DIR/nestrun.log"
	DAEMON_JSON="$SETUP_DIR/docker/daemon.json"
	CONTAINERS_CONF="$SETUP_DIR/containers/containers.conf"
	mkdir -p "$SETUP_DIR/docker" "$SETUP_DIR/containers"
}

function teardown() {
	local rc=0
	# health: setup only writes the files it is pointed at; no --log error line
	# unless the test provoked one (status != 0)
	if [ -f "${SETUP_LOG:-}" ] && [ "${status:-0}" -eq 0 ] && grep -q '"level":"error"' "$SETUP_LOG"; then
		echo "unexpected error lines in $SETUP_LOG:" >&2
		cat "$SETUP_LOG" >&2
		rc=1
	fi
	[ -z "$(find /etc/docker /etc/containers -newer "$BATS_RUN_TMPDIR" -name '*nestrun-backup*' 2>/dev/null)" ] || {
		echo "a backup was written under /etc" >&2
		rc=1
	}
	[ -n "${SETUP_DIR:-}" ] && rm -rf "$SETUP_DIR"
	SETUP_DIR=
	return $rc
}

# nestrun_setup ARGS...: `nestrun setup ARGS` with a --log of its own
function nestrun_setup() {
	run "$NESTRUN" --log "$SETUP_LOG" --log-format json setup "$@"
	echo "nestrun setup $* (status=$status):" >&2
	echo "$output" >&2
}

# The backups made of $1, one a line.
function backups_of() {
	find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").nestrun-backup-*" | sort
}

# A daemon.json with settings and a runtime of someone else's.
function daemon_json_with_others() {
	cat >"$DAEMON_JSON" <<-'EOF'
		{
		    "log-level": "warn",
		    "default-runtime": "runc",
		    "runtimes": {"other": {"path": "/usr/bin/other", "runtimeArgs": ["--debug"]}},
		    "storage-opts": ["overlay2.override_kernel_check=true"]
		}
	EOF
	chmod 0640 "$DAEMON_JSON"
}

@test "setup docker --dry-run prints the change and the new daemon.json, and writes nothing" {
	daemon_json_with_others
	local before
	before=$(sha256sum <"$DAEMON_JSON")
	nestrun_setup docker --dry-run --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "docker: would change $DAEMON_JSON:" ]]
	grep -qF 'added runtimes.nestrun = {"path": "/usr/local/sbin/nestrun"}' <<<"$output"
	# the new file follows the marker, and is the merge
	sed -n '/^--- new .* (dry run, nothing written) ---$/,$p' <<<"$output" | tail -n +2 >"$SETUP_DIR/new.json"
	jq -e '.runtimes.nestrun.path == "/usr/local/sbin/nestrun" and .runtimes.other.path == "/usr/bin/other"
		and ."log-level" == "warn"' "$SETUP_DIR/new.json"
	[ "$(sha256sum <"$DAEMON_JSON")" = "$before" ]
	[ -z "$(backups_of "$DAEMON_JSON")" ]
}

@test "setup docker merges into daemon.json, keeps everything else, and leaves a backup" {
	daemon_json_with_others
	cp "$DAEMON_JSON" "$SETUP_DIR/original.json"
	nestrun_setup docker --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "docker: changed $DAEMON_JSON:" ]]
	grep -q '^restart dockerd to apply' <<<"$output"
	jq -e '.runtimes.nestrun == {"path": "/usr/local/sbin/nestrun"}' "$DAEMON_JSON"
	# nothing of the rest is lost or changed
	jq -e --slurpfile o "$SETUP_DIR/original.json" 'del(.runtimes.nestrun) == $o[0]' "$DAEMON_JSON"
	[ "$(stat -c %a "$DAEMON_JSON")" = 640 ]
	local backup
	backup=$(backups_of "$DAEMON_JSON")
	[ "$(wc -l <<<"$backup")" -eq 1 ]
	grep -qF "backup: $backup" <<<"$output"
	cmp "$backup" "$SETUP_DIR/original.json"

	# again: nothing to do, no second backup
	nestrun_setup docker --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun
	[ "$status" -eq 0 ]
	grep -q 'runtime "nestrun" already registered, nothing to do' <<<"$output"
	[ "$(backups_of "$DAEMON_JSON")" = "$backup" ]

	# another path, at once: changed, with a backup of its own
	nestrun_setup docker --config "$DAEMON_JSON" --path /opt/nestrun/nestrun
	[ "$status" -eq 0 ]
	grep -qF 'changed runtimes.nestrun.path from "/usr/local/sbin/nestrun" to "/opt/nestrun/nestrun"' <<<"$output"
	jq -e '.runtimes.nestrun.path == "/opt/nestrun/nestrun" and .runtimes.other.runtimeArgs == ["--debug"]' \
		"$DAEMON_JSON"
	[ "$(backups_of "$DAEMON_JSON" | wc -l)" -eq 2 ]
	cmp "$backup" "$SETUP_DIR/original.json"
}

@test "setup docker creates a missing daemon.json, and --name registers an alias" {
	rmdir "$SETUP_DIR/docker"
	nestrun_setup docker --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun --name nestrun-nested
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "docker: created $DAEMON_JSON:" ]]
	jq -e '. == {"runtimes": {"nestrun-nested": {"path": "/usr/local/sbin/nestrun"}}}' "$DAEMON_JSON"
	[ -z "$(backups_of "$DAEMON_JSON")" ]
}

@test "setup docker without --path registers the binary that runs" {
	nestrun_setup docker --config "$DAEMON_JSON"
	[ "$status" -eq 0 ]
	jq -e --arg p "$(readlink -f "$NESTRUN")" '.runtimes.nestrun.path == $p' "$DAEMON_JSON"
}

@test "setup docker refuses a daemon.json it cannot read as JSON, and leaves it as it was" {
	local bad
	for bad in '{"runtimes": ' '{"runtimes": []}' '[1, 2]'; do
		printf '%s' "$bad" >"$DAEMON_JSON"
		nestrun_setup docker --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun
		[ "$status" -ne 0 ]
		[[ "$output" == *"$DAEMON_JSON"* ]]
		[ "$(jq -r .msg <"$SETUP_LOG" | tail -n 1)" = "$output" ]
		[ "$(cat "$DAEMON_JSON")" = "$bad" ]
		[ -z "$(backups_of "$DAEMON_JSON")" ]
	done
}

@test "setup refuses an unknown engine, a relative --path and a bad --name, writing nothing" {
	nestrun_setup dockerd --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown engine "dockerd"'* ]]
	nestrun_setup docker --config "$DAEMON_JSON" --path nestrun
	[ "$status" -ne 0 ]
	[[ "$output" == *'must be absolute, got "nestrun"'* ]]
	nestrun_setup docker --config "$DAEMON_JSON" --path /usr/local/sbin/nestrun --name 'a b'
	[ "$status" -ne 0 ]
	[[ "$output" == *'invalid runtime name "a b"'* ]]
	[ ! -e "$DAEMON_JSON" ]
}

@test "setup podman --dry-run prints the change, writes nothing" {
	printf '[engine]\ncgroup_manager = "cgroupfs"\n' >"$CONTAINERS_CONF"
	local before
	before=$(cat "$CONTAINERS_CONF")
	nestrun_setup podman --dry-run --config "$CONTAINERS_CONF" --path /usr/local/sbin/nestrun
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "podman: would change $CONTAINERS_CONF:" ]]
	grep -qF 'added [engine.runtimes] nestrun = ["/usr/local/sbin/nestrun"]' <<<"$output"
	grep -qx '  nestrun = \["/usr/local/sbin/nestrun"\]' <<<"$output"
	[ "$(cat "$CONTAINERS_CONF")" = "$before" ]
	[ -z "$(backups_of "$CONTAINERS_CONF")" ]
}

@test "setup podman merges into containers.conf with a backup, and podman finds the runtime by name" {
	cat >"$CONTAINERS_CONF" <<-'EOF'
		# ours
		[containers]
		log_size_max = -1

		[engine]
		cgroup_manager = "cgroupfs"

		[engine.runtimes]
		runc = ["/usr/sbin/runc"]

		[network]
		default_subnet = "10.88.0.0/16"
	EOF
	cp "$CONTAINERS_CONF" "$SETUP_DIR/original.conf"
	nestrun_setup podman --config "$CONTAINERS_CONF" --path "$(readlink -f "$NESTRUN")"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "podman: changed $CONTAINERS_CONF:" ]]
	# one line added to [engine.runtimes], every other line as it was
	diff "$SETUP_DIR/original.conf" "$CONTAINERS_CONF" >"$SETUP_DIR/diff" || true
	[ "$(grep -c '^[<>]' "$SETUP_DIR/diff")" -eq 1 ]
	grep -q "^> nestrun = \[\"$(readlink -f "$NESTRUN")\"\]\$" "$SETUP_DIR/diff"
	[ "$(sed -n '/^\[engine.runtimes\]/,/^\[network\]/p' "$CONTAINERS_CONF" | grep -c '^nestrun = ')" -eq 1 ]
	cmp "$(backups_of "$CONTAINERS_CONF")" "$SETUP_DIR/original.conf"
	nestrun_setup podman --config "$CONTAINERS_CONF" --path "$(readlink -f "$NESTRUN")"
	[ "$status" -eq 0 ]
	grep -q 'already registered, nothing to do' <<<"$output"
	[ "$(backups_of "$CONTAINERS_CONF" | wc -l)" -eq 1 ]

	command -v podman >/dev/null || skip "podman is not installed: the file's syntax is not checked by podman"
	run env CONTAINERS_CONF="$CONTAINERS_CONF" podman --root "$SETUP_DIR/pm/root" --runroot "$SETUP_DIR/pm/runroot" \
		--tmpdir "$SETUP_DIR/pm/tmp" --storage-driver vfs --runtime nestrun \
		info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	echo "podman info: $output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "nestrun $(readlink -f "$NESTRUN")" ]
}

@test "setup podman creates a missing containers.conf" {
	nestrun_setup podman --config "$CONTAINERS_CONF" --path /usr/local/sbin/nestrun
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "podman: created $CONTAINERS_CONF:" ]]
	[ "$(cat "$CONTAINERS_CONF")" = "$(printf '[engine.runtimes]\n  nestrun = ["/usr/local/sbin/nestrun"]')" ]
	[ -z "$(backups_of "$CONTAINERS_CONF")" ]
}
