#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hostile image layers (issue 6), through `nestrun image import` into a temporary
# store: traversal, absolute paths, symlink and hardlink escapes (chains, and links
# an EARLIER layer made), whiteouts naming "." or "..", device nodes, setuid, tar
# bombs (entry count, bytes, gzip, path length), a full disk, truncated and
# corrupt archives, wrong digests, missing blobs, unsupported media types.
# The archives come from gen-hostile-tars.py (its docstring lists the cases).
#
# Refused cases fail with an error naming the image, the layer and the entry (or
# blob), write nothing outside the store and leave no layer, ref or staging debris;
# accepted ones keep everything inside their layer directories.  Device nodes and
# setuid files are legitimate image content: they are stored as such, only inside
# the layer dirs, which only root can reach (the store is 0700).  The escape target
# $OUTSIDE must stay empty; teardown_bundle's health check covers processes, mounts
# and unexpected errors.  nestrun-only: runc has no image store.

load helpers

function setup_file() {
	export CORPUS="$BATS_FILE_TMPDIR/corpus" OUTSIDE="$BATS_FILE_TMPDIR/outside"
	mkdir -p "$OUTSIDE"
	python3 "$INTEGRATION_ROOT/gen-hostile-tars.py" "$CORPUS" "$OUTSIDE"
}

function setup() {
	requires root python3 not_runc
	setup_bundle
	STORE="$ROOT/store"
	PASSWD_BEFORE=$(sha256sum /etc/passwd)
}

function teardown() {
	local rc=0
	if [ -n "${ROOT:-}" ]; then
		umount "$ROOT/small" 2>/dev/null || true
		nothing_outside || rc=1
	fi
	teardown_bundle || rc=1
	return $rc
}

function nothing_outside() {
	[ -z "$(ls -A "$OUTSIDE")" ] || fail "written outside the store: $(ls -A "$OUTSIDE")"
	[ "$(sha256sum /etc/passwd)" = "$PASSWD_BEFORE" ] || fail "/etc/passwd changed"
}

# import ARCHIVE [OPTIONS...]
function import() {
	local f=$1
	shift
	nestrun image import --store "$STORE" "$@" "$f"
}

# No layer, no ref, nothing staged: the store is as before the refused import.
function store_empty() {
	if [ -d "$STORE/layers" ] && [ -n "$(ls -A "$STORE/layers")" ]; then
		fail "layers left: $(ls "$STORE/layers")"
	fi
	if [ -d "$STORE/tmp" ] && [ -n "$(ls -A "$STORE/tmp")" ]; then
		fail "staging debris: $(ls "$STORE/tmp")"
	fi
	run "$NESTRUN" image ls -q --store "$STORE"
	[ -z "$output" ] || fail "refs left: $output"
}

# The diff directory of layer N (1 = lowest) of the image.
function layer_diff() {
	"$NESTRUN" image inspect --store "$STORE" "$1" | jq -r ".layer_dirs[$(($2 - 1))]"
}

# What each refused archive's error must say after 'image "hostile/case:1": '.
declare -gA WANT=(
	[traversal]='layer 2/2 .*: entry "(\.\./)+.*/pwned": path contains "\.\.": Invalid argument'
	[traversal-deep]='layer 2/2 .*: entry "a/b/\.\./.*/pwned": path contains "\.\.": Invalid argument'
	[absolute]='layer 2/2 .*: entry "/.*/outside/pwned": absolute path: Invalid argument'
	[symlink-escape]='layer 2/2 .*: entry "evil/pwned": path goes through the symbolic link "evil": Too many levels of symbolic links'
	[symlink-escape-relative]='layer 2/2 .*: entry "evil/pwned": path goes through the symbolic link "evil"'
	[symlink-chain]='layer 2/2 .*: entry "a/pwned": path goes through the symbolic link "a"'
	[symlink-chain-absolute]='layer 2/2 .*: entry "a/pwned": path goes through the symbolic link "a"'
	[symlink-then-dir-entry]='layer 2/2 .*: entry "evil/sub/": path goes through the symbolic link "evil"'
	[hardlink-escape]='layer 2/2 .*: entry "pwned": hard link target "(\.\./)+etc/passwd": path contains "\.\."'
	[hardlink-absolute]='layer 2/2 .*: entry "pwned": hard link target "/etc/passwd": absolute path'
	[hardlink-earlier-layer]='layer 2/2 .*: entry "pwned": hard link target "bin/ok" is not in this layer: No such file or directory'
	[hardlink-via-symlink]='layer 2/2 .*: entry "pwned": hard link target "d/passwd": path goes through the symbolic link "d"'
	[hardlink-chain]='layer 2/2 .*: entry "h": hard link target "g/\.\./.*": path contains "\.\."'
	[hardlink-to-dir]='layer 2/2 .*: entry "pwned": hard link target "d" is a directory: Is a directory'
	[whiteout-dotdot]='layer 2/2 .*: entry "a/\.wh\.\.\.": invalid whiteout: Invalid argument'
	[whiteout-dot]='layer 2/2 .*: entry "a/\.wh\.\.": invalid whiteout: Invalid argument'
	[whiteout-empty]='layer 2/2 .*: entry "a/\.wh\.": invalid whiteout: Invalid argument'
	[whiteout-root-dotdot]='layer 2/2 .*: entry "\.wh\.\.\.": invalid whiteout: Invalid argument'
	[whiteout-root-dot]='layer 2/2 .*: entry "\.wh\.\.": invalid whiteout: Invalid argument'
	[whiteout-absolute]='layer 2/2 .*: entry "/\.wh\.etc": absolute path: Invalid argument'
	[whiteout-through-symlink]='layer 2/2 .*: entry "evil/\.wh\.victim": path goes through the symbolic link "evil"'
	[opaque-through-symlink]='layer 2/2 .*: entry "evil/\.wh\.\.wh\.\.opq": path goes through the symbolic link "evil"'
	[earlier-link-hardlink]='layer 3/3 .*: entry "pwned": hard link target "d/passwd" is not in this layer'
	[diffid-mismatch]='layer 2/2 .*: diffID mismatch: expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}'
	[missing-layer]='layer 2/2 "[0-9]{64}/layer\.tar" is missing from the source: No such file or directory'
	[oci-blob-digest]='layer 2/2 .*: blob digest mismatch: expected sha256:[0-9a-f]{64}, got'
	[oci-missing-blob]='layer 2/2 "blobs/sha256/[0-9a-f]{64}" is missing from the source'
	[oci-media-type]='manifest sha256:[0-9a-f]{64}: layer 2/2: unsupported media type "application/vnd\.example\.layer\.v1\.tar\+lz5": Operation not supported'
	[oci-corrupt-gzip]='layer 2/2 .*: (entry [0-9]+: damaged header|.*decompress|.*diffID mismatch)'
	[oci-diffid-mismatch]='layer 2/2 .*: diffID mismatch'
	# the archive itself ends early: no image is known yet
	[truncated]='^import ".*/refuse-truncated\.tar": read archive: Truncated input file'
)

@test "hostile layers are refused naming image, layer and entry; nothing outside, no layer or ref left" {
	local f name n=0
	for f in "$CORPUS"/refuse-*.tar; do
		name=$(basename "$f" .tar)
		name=${name#refuse-}
		[ -n "${WANT[$name]:-}" ] || fail "no expected error for case $name"
		import "$f"
		expect_error
		[ "$status" -ne 0 ] || fail "$name was accepted"
		[ "$status" -lt 128 ] || fail "$name: killed by a signal"
		if [ "$name" = truncated ]; then
			assert_log_error "${WANT[$name]}"
		else
			assert_log_error "^import \".*/refuse-$name\.tar\": (commit: )?image \"hostile/case:1\": ${WANT[$name]}"
		fi
		nothing_outside
		store_empty
		n=$((n + 1))
	done
	[ "$n" -eq "${#WANT[@]}" ] || fail "$n archives for ${#WANT[@]} expected errors"
	# the store is still usable
	import "$CORPUS/contain-setuid.tar"
	[ "$status" -eq 0 ]
	nestrun image gc --store "$STORE"
	[ "$status" -eq 0 ]
}

@test "tar bombs: entry count, layer bytes, a gzip bomb and path length stop at the limits given" {
	local f
	for f in entries bytes gzip-bomb path; do
		import "$CORPUS/limit-$f.tar" --max-entries 1000 --max-layer-bytes 1048576 --max-path 256
		expect_error
		[ "$status" -ne 0 ] || fail "limit-$f was accepted"
		case $f in
		entries) assert_log_error 'image "hostile/case:1": layer 2/2 .*: more than 1000 entries \(limit\): File too large' ;;
		bytes) assert_log_error 'image "hostile/case:1": layer 2/2 .*: entry "big": read: layer larger than 1048576 bytes: File too large' ;;
		gzip-bomb) assert_log_error 'image "hostile/case:1": layer 2/2 .*: entry "zeros": read: layer larger than 1048576 bytes' ;;
		path) assert_log_error 'image "hostile/case:1": layer 2/2 .*: entry "d{200}/e{200}": .*longer than 256' ;;
		esac
		store_empty
	done
	# the limits are the caller's: with room to spare the same archives import
	import "$CORPUS/limit-entries.tar" --max-entries 6000
	[ "$status" -eq 0 ]
	import "$CORPUS/limit-path.tar"
	[ "$status" -eq 0 ]
}

@test "a link planted by an earlier layer: the later layer's entries make a directory of their own" {
	local how d
	for how in absolute relative; do
		rm -rf "$STORE"
		import "$CORPUS/contain-earlier-link-$how.tar"
		[ "$status" -eq 0 ]
		d=$(layer_diff hostile/case:1 2)
		[ -L "$d/d" ] # layer 2 keeps its link, as the image has it
		d=$(layer_diff hostile/case:1 3)
		# layer 3 wrote d/x and a whiteout d/passwd: into a real directory in its own dir
		[ -d "$d/d" ] && [ ! -L "$d/d" ]
		[ "$(cat "$d/d/x")" = x ]
		[ "$(stat -c '%F %t:%T' "$d/d/passwd")" = "character special file 0:0" ]
		nothing_outside
	done
}

@test "device nodes are stored as such in the layer dir, which unprivileged users cannot reach" {
	import "$CORPUS/contain-devices.tar"
	[ "$status" -eq 0 ]
	local d
	d=$(layer_diff hostile/case:1 2)
	[ "$(stat -c '%F %t:%T %a' "$d/dev/mynull")" = "character special file 1:3 666" ]
	[ "$(stat -c '%F %t:%T %a' "$d/dev/mymem")" = "character special file 1:1 666" ]
	[ "$(stat -c '%F %t:%T %a' "$d/dev/myloop")" = "block special file 7:0 660" ]
	[ "$(stat -c '%F' "$d/dev/fifo")" = fifo ]
	[ "$(stat -c %a "$STORE")" = 700 ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups head -c1 "$d/dev/mymem"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "setuid and setgid bits are kept in the layer and apply to nothing on the host" {
	import "$CORPUS/contain-setuid.tar"
	[ "$status" -eq 0 ]
	local d
	d=$(layer_diff hostile/case:1 2)
	[ "$(stat -c %a "$d/bin/su-root")" = 4755 ]
	[ "$(stat -c %a "$d/bin/sg")" = 2755 ]
	[ "$(stat -c %a "$d/tmp")" = 1777 ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$d/bin/su-root"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	# nothing else on the host gained a set-id bit from the import
	[ -z "$(find "$ROOT" -path "$STORE" -prune -o -perm /6000 -print)" ]
}

@test "a full disk mid-unpack: ENOSPC names image and layer, nothing is left, and the store recovers" {
	mkdir "$ROOT/small"
	mount -t tmpfs -o size=1m "nr-test-enospc-$$" "$ROOT/small"
	STORE="$ROOT/small/store"
	import "$CORPUS/enospc-random.tar"
	expect_error
	[ "$status" -ne 0 ]
	assert_log_error 'image "hostile/case:1": layer 2/2 .*No space left on device'
	store_empty
	# with room again, the same store takes the image
	mount -o remount,size=16m "$ROOT/small"
	import "$CORPUS/enospc-random.tar"
	[ "$status" -eq 0 ]
	umount "$ROOT/small"
}
