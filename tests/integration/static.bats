#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The static nestrun (./configure --enable-static) is what gets injected into rootfs
# that have no libc at all: it must run a container from inside a busybox-only chroot.

load helpers

function setup() {
	requires root
	[ -n "${NESTRUN_STATIC:-}" ] && [ -x "$NESTRUN_STATIC" ] ||
		skip "NESTRUN_STATIC (a --enable-static build) not given"
	setup_bundle
}

function teardown() {
	if [ -n "${HOSTFS:-}" ]; then
		umount -R "$HOSTFS/proc" "$HOSTFS/sys" "$HOSTFS/dev" 2>/dev/null || true
	fi
	teardown_bundle
}

@test "the static binary has no interpreter and no shared libraries" {
	run file -L "$NESTRUN_STATIC"
	[[ "$output" == *"statically linked"* ]]
	run readelf -l "$NESTRUN_STATIC"
	[[ "$output" != *"INTERP"* ]]
	run readelf -d "$NESTRUN_STATIC"
	[[ "$output" != *"NEEDED"* ]]
}

# A "host" filesystem with nothing but busybox, the static nestrun and the bundle.
function chroot_host() {
	HOSTFS="$ROOT/hostfs"
	mkdir -p "$HOSTFS"/{bin,proc,sys,dev,run,tmp}
	cp "$BUSYBOX" "$HOSTFS/bin/busybox"
	ln -s busybox "$HOSTFS/bin/sh"
	cp "$NESTRUN_STATIC" "$HOSTFS/bin/nestrun"
	[ ! -e "$HOSTFS/lib" ] && [ ! -e "$HOSTFS/lib64" ] && [ ! -e "$HOSTFS/usr/lib" ]
	mv "$BUNDLE" "$HOSTFS/bundle"
	BUNDLE="$HOSTFS/bundle"
	mount -t proc proc "$HOSTFS/proc"
	mount --rbind /sys "$HOSTFS/sys"
	mount --make-rslave "$HOSTFS/sys"
	mount --rbind /dev "$HOSTFS/dev"
	mount --make-rslave "$HOSTFS/dev"
}

@test "the static binary runs a container from inside a busybox-only chroot" {
	chroot_host
	update_config '.process.args = ["nr-payload", "echo", "inside-the-chroot"]'

	run chroot "$HOSTFS" /bin/nestrun --root /run/nestrun run -b /bundle static1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"inside-the-chroot"* ]]
	run chroot "$HOSTFS" /bin/nestrun --root /run/nestrun list -q
	[ -z "$output" ]

	umount -R "$HOSTFS/proc" "$HOSTFS/sys" "$HOSTFS/dev"
	HOSTFS=
}

@test "in a chroot (no user namespace for it) x-nestrun.locked mounts stay read-only, unlocked, with a warning" {
	chroot_host
	mkdir -p "$HOSTFS/shared"
	update_config '.process.args = ["nr-payload", "touch-ro", "/shared/x"]
		| .mounts += [{"destination": "/shared", "type": "bind", "source": "/shared",
			"options": ["bind", "ro", "x-nestrun.locked"]}]'
	run chroot "$HOSTFS" /bin/nestrun --root /run/nestrun run -b /bundle static2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"lock mounts: unshare user and mount namespaces: Operation not permitted: the mounts to lock (1) stay as they are, unlocked"* ]]
	[[ "$output" == *EROFS* ]]
	umount -R "$HOSTFS/proc" "$HOSTFS/sys" "$HOSTFS/dev"
	HOSTFS=
}
