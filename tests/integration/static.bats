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

@test "the static binary runs a container from inside a busybox-only chroot" {
	# A "host" filesystem with nothing but busybox, the static nestrun and a bundle.
	HOSTFS="$ROOT/hostfs"
	mkdir -p "$HOSTFS"/{bin,proc,sys,dev,run,tmp}
	cp "$BUSYBOX" "$HOSTFS/bin/busybox"
	ln -s busybox "$HOSTFS/bin/sh"
	cp "$NESTRUN_STATIC" "$HOSTFS/bin/nestrun"
	[ ! -e "$HOSTFS/lib" ] && [ ! -e "$HOSTFS/lib64" ] && [ ! -e "$HOSTFS/usr/lib" ]
	mv "$BUNDLE" "$HOSTFS/bundle"
	BUNDLE="$HOSTFS/bundle"
	update_config '.process.args = ["nr-payload", "echo", "inside-the-chroot"]'
	mount -t proc proc "$HOSTFS/proc"
	mount --rbind /sys "$HOSTFS/sys"
	mount --make-rslave "$HOSTFS/sys"
	mount --rbind /dev "$HOSTFS/dev"
	mount --make-rslave "$HOSTFS/dev"

	run chroot "$HOSTFS" /bin/nestrun --root /run/nestrun run -b /bundle static1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"inside-the-chroot"* ]]
	run chroot "$HOSTFS" /bin/nestrun --root /run/nestrun list -q
	[ -z "$output" ]

	umount -R "$HOSTFS/proc" "$HOSTFS/sys" "$HOSTFS/dev"
	HOSTFS=
}
