#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for image.bats (the image store), independent of helpers.bash.
#
#   NESTRUN_BIN / NESTRUN  the nestrun binary (default: <srcdir>/build/nestrun, then <srcdir>/nestrun)
#   BUSYBOX                a static busybox (default /bin/busybox)
#   DOCKERD                dockerd for the private engines (default: dockerd in PATH)
# A private dockerd per test file (own data-root, exec-root, socket, no network) builds
# the test images from local files: no registry is used.
# shellcheck disable=SC2154

IMG_ROOT=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
IMG_SRCDIR=$(readlink -f "$IMG_ROOT/../..")
NESTRUN_BIN="${NESTRUN_BIN:-${NESTRUN:-}}"
if [ -z "$NESTRUN_BIN" ]; then
	for c in "$IMG_SRCDIR/build/nestrun" "$IMG_SRCDIR/nestrun"; do
		[ -x "$c" ] && NESTRUN_BIN=$c && break
	done
fi
BUSYBOX="${BUSYBOX:-/bin/busybox}"
DOCKER_CLI=/usr/bin/docker # Debian's 20.10 client, not a newer one in /usr/local/bin

function img_fail() {
	echo "$@" >&2
	return 1
}

# nestrun image ... against this test's store, logging command, status and output.
function nr_image() {
	echo "+ nestrun image $*" >&2
	run "$NESTRUN_BIN" image "$@"
	echo "status=$status" >&2
	echo "$output" >&2
}

function requires_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (layer owners, whiteout devices, trusted xattrs)"
}

function requires_dockerd() {
	command -v "${DOCKERD:-dockerd}" >/dev/null || skip "dockerd not installed"
	[ -x "$DOCKER_CLI" ] || skip "$DOCKER_CLI not installed"
}

# ---- a private dockerd: dockerd_start DIR [data-root]; D is its client ----

function dockerd_start() {
	local dir=$1 data=${2:-$1/data}
	mkdir -p "$dir/exec" "$data"
	"${DOCKERD:-dockerd}" --data-root "$data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" --bridge=none --iptables=false --ip-masq=false \
		--storage-driver=overlay2 >"$dir/dockerd.log" 2>&1 &
	for _ in $(seq 150); do
		"$DOCKER_CLI" -H "unix://$dir/docker.sock" info >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	cat "$dir/dockerd.log" >&2
	img_fail "dockerd in $dir did not start"
}

# docker client of the engine in DIR
function dk() {
	local dir=$1
	shift
	"$DOCKER_CLI" -H "unix://$dir/docker.sock" "$@"
}

function dockerd_stop() {
	local dir=$1 pid
	[ -f "$dir/dockerd.pid" ] || return 0
	dk "$dir" ps -aq 2>/dev/null | xargs -r "$DOCKER_CLI" -H "unix://$dir/docker.sock" rm -f >/dev/null 2>&1
	pid=$(cat "$dir/dockerd.pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/dockerd.pid"
}

# Unmount everything under DIR, deepest first.
function umount_under() {
	local m
	findmnt -rn -o TARGET | grep "^$1" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# ---- test images, built once per test file into $IMAGES ----

# A busybox root filesystem tarball (like a `docker import` source).
function make_rootfs_tar() {
	local out=$1 r
	r=$(mktemp -d)
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/usr/bin"
	cp "$BUSYBOX" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	ln "$r/bin/busybox" "$r/usr/bin/busybox-hardlink"
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	chmod 1777 "$r/tmp"
	mkdir -p "$r/etc/replaced/sub"
	echo old >"$r/etc/replaced/sub/old"
	echo gone >"$r/etc/gone"
	tar -C "$r" --numeric-owner -cf "$out" .
	rm -rf "$r"
}

# Build in the private engine: nrtest/base:1 (rootfs), nrtest/multi:1 (FROM base, deletes
# a file, replaces a directory, setuid, owners, links, a file capability), nrtest/other:1
# (FROM base, shares its base layer); save them.
function build_test_images() {
	local eng=$1 out=$2 ctx
	ctx=$(mktemp -d)
	make_rootfs_tar "$ctx/rootfs.tar"
	dk "$eng" import "$ctx/rootfs.tar" nrtest/base:1 >/dev/null
	cat >"$ctx/Dockerfile" <<-'DOCKERFILE'
		FROM nrtest/base:1
		RUN ["/bin/busybox", "rm", "/etc/gone"]
		RUN ["/bin/busybox", "sh", "-c", "rm -rf /etc/replaced && mkdir -p /etc/replaced && echo new > /etc/replaced/new && chown 123:456 /etc/replaced/new && chmod 4755 /etc/replaced/new && ln /etc/passwd /etc/passwd-hl && ln -s /etc/passwd /etc/passwd-sl && mkdir -m 0700 /secret && chown 7:8 /secret"]
		RUN ["/bin/busybox", "sh", "-c", "echo more > /etc/more && /bin/busybox setfattr -n user.nr -v one /etc/more 2>/dev/null; true"]
		CMD ["/bin/sh"]
	DOCKERFILE
	dk "$eng" build -q -t nrtest/multi:1 "$ctx" >/dev/null
	printf 'FROM nrtest/base:1\nRUN ["/bin/busybox", "sh", "-c", "echo other > /other"]\n' >"$ctx/Dockerfile"
	dk "$eng" build -q -t nrtest/other:1 "$ctx" >/dev/null
	dk "$eng" save nrtest/base:1 -o "$out/base.tar"
	dk "$eng" save nrtest/multi:1 -o "$out/multi.tar"
	dk "$eng" save nrtest/other:1 -o "$out/other.tar"
	dk "$eng" save nrtest/multi:1 nrtest/other:1 -o "$out/both.tar"
	cp "$ctx/rootfs.tar" "$out/rootfs.tar"
	rm -rf "$ctx"
}

# Convert a docker-save archive into an OCI image layout (gzip layers) directory.
function docker_save_to_oci() {
	python3 - "$1" "$2" "$3" <<-'PY'
		import gzip, hashlib, json, os, sys, tarfile
		src, out, ref = sys.argv[1:4]
		os.makedirs(out + "/blobs/sha256", exist_ok=True)
		def put(data):
		    d = hashlib.sha256(data).hexdigest()
		    open(out + "/blobs/sha256/" + d, "wb").write(data)
		    return {"digest": "sha256:" + d, "size": len(data)}
		with tarfile.open(src) as tf:
		    m = json.load(tf.extractfile("manifest.json"))[0]
		    config = tf.extractfile(m["Config"]).read()
		    layers = []
		    for l in m["Layers"]:
		        d = put(gzip.compress(tf.extractfile(l).read(), mtime=0))
		        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
		        layers.append(d)
		c = put(config)
		c["mediaType"] = "application/vnd.oci.image.config.v1+json"
		man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		                  "config": c, "layers": layers}).encode()
		md = put(man)
		md["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
		md["annotations"] = {"org.opencontainers.image.ref.name": ref}
		json.dump({"schemaVersion": 2, "manifests": [md]}, open(out + "/index.json", "w"))
		open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
	PY
}

# The image's layer dirs, lowest first, from `nestrun image inspect`.
function layer_dirs() {
	"$NESTRUN_BIN" image inspect "$1" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["layer_dirs"]))'
}

# Mount the layers of IMAGE read-only as one overlay at DIR.
function mount_image() {
	local img=$1 dir=$2 lower=""
	local d
	while read -r d; do
		lower="$d${lower:+:$lower}"
	done < <(layer_dirs "$img")
	mkdir -p "$dir"
	if [[ "$lower" == *:* ]]; then
		mount -t overlay overlay -o "ro,lowerdir=$lower" "$dir"
	else
		mount --bind -o ro "$lower" "$dir" # overlay wants two lower dirs without an upper
	fi
}

# Compare a tree with a tar (docker export), entry for entry: type, mode, owner, size,
# link target, xattrs we can see in both; ignores what docker's init layer adds.
function compare_tree_with_tar() {
	python3 - "$1" "$2" <<-'PY'
		import os, stat, sys, tarfile
		root, tarpath = sys.argv[1:3]
		ignore = {".dockerenv", "dev", "proc", "sys", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"}
		def skip(p):
		    return p in ignore or p.split("/")[0] in ("dev", "proc", "sys")
		want = {}
		for m in tarfile.open(tarpath):
		    p = m.name[2:] if m.name.startswith("./") else m.name
		    p = p.rstrip("/")
		    if not p or skip(p):
		        continue
		    kind = "d" if m.isdir() else "l" if m.issym() else "f" if m.isfile() or m.islnk() else "o"
		    want[p] = (kind, m.mode & 0o7777, m.uid, m.gid, m.linkname if m.issym() else "",
		               m.size if m.isfile() else 0)
		    if m.islnk():
		        t = m.linkname[2:] if m.linkname.startswith("./") else m.linkname
		        want[p] = want[t]
		got = {}
		for d, dirs, files in os.walk(root):
		    for n in dirs + files:
		        full = os.path.join(d, n)
		        p = os.path.relpath(full, root)
		        if skip(p):
		            continue
		        st = os.lstat(full)
		        kind = "d" if stat.S_ISDIR(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode) else "f" if stat.S_ISREG(st.st_mode) else "o"
		        got[p] = (kind, st.st_mode & 0o7777, st.st_uid, st.st_gid,
		                  os.readlink(full) if kind == "l" else "", st.st_size if kind == "f" else 0)
		bad = 0
		for p in sorted(set(want) | set(got)):
		    if want.get(p) != got.get(p):
		        print("differs: %s: export %s, store %s" % (p, want.get(p), got.get(p)))
		        bad += 1
		print("%d entries compared, %d differ" % (len(want), bad))
		sys.exit(1 if bad or not want else 0)
	PY
}

# Every layer in the store is complete; nothing is left in tmp/ (after an operation).
function store_is_clean() {
	local s=$1 d
	for d in "$s"/layers/*/; do
		[ -d "$d" ] || continue
		if [ ! -f "$d/layer.json" ] || [ ! -d "$d/diff" ]; then
			img_fail "partial layer $d"
		fi
	done
	[ -z "$(ls -A "$s/tmp")" ] || img_fail "debris in $s/tmp: $(ls "$s/tmp")"
}

# json field of nestrun's --format json output
function jfield() {
	python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1"
}

# ---- a private podman on a containers-storage view of the store ----

function requires_podman() {
	command -v podman >/dev/null || skip "podman not installed"
	command -v conmon >/dev/null || [ -x /usr/libexec/podman/conmon ] || skip "conmon not installed"
}

# podman_view DIR VIEW: a private podman (its own root, runroot, tmpdir, cgroup parent,
# cgroupfs, file events) whose storage.conf lists VIEW as an additional image store.
function podman_view() {
	local dir=$1 view=$2
	mkdir -p "$dir"
	cat >"$dir/containers.conf" <<-CONF
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	CONF
	cat >"$dir/storage.conf" <<-CONF
		[storage]
		driver = "overlay"
		graphroot = "$dir/root"
		runroot = "$dir/run"
		[storage.options]
		additionalimagestores = ["$view"]
	CONF
}

# pm DIR ARGS...: that podman, with this nestrun as its runtime
function pm() {
	local dir=$1
	shift
	CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
		podman --tmpdir "$dir/tmp" --runtime "$NESTRUN_BIN" "$@"
}

# Remove what the podman in DIR left: containers, its cgroup parent (conmon may take a
# moment to leave it).
function podman_view_stop() {
	local dir=$1 c left
	[ -f "$dir/storage.conf" ] || return 0
	pm "$dir" rm -a -f -t 0 >/dev/null 2>&1 || true
	for _ in $(seq 50); do
		left=
		for c in /sys/fs/cgroup/*/"$(basename "$dir")" /sys/fs/cgroup/unified/"$(basename "$dir")"; do
			[ -d "$c" ] || continue
			find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || left=1
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	rm -f "$dir/storage.conf"
}

# A checksum of everything in the store: names, types, modes, owners, link targets,
# xattrs of the layer trees, and the content of every file.
function store_checksum() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %m %U %G %s %l\n' | sort
		find . -type f -print0 | sort -z | xargs -0 -r sha256sum
		getfattr -R -h -d -m - . 2>/dev/null | sort
	) | sha256sum
}
