#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# What a nest adds to one `docker run -d` (issue 5): the same Docker-in-Docker image,
# run by a private dockerd with the static nestrun as runtime, as a nest
# (`--privileged -e NESTRUN_NESTED=1`: the nest's data-root, the seeded image views, the
# shared store, the injected runtime, its engine config) and not (`-e
# NESTRUN_NESTED=0`, same flags otherwise), interleaved N times; the command is `sleep`,
# so no engine starts inside.  Prints a markdown table: median and min wall time of the
# `docker run -d` (CLI to return: create, start, the runtime's create and start), and
# the nest's median share.
#
#   bench/nest-create.sh [-n N] [-o FILE.md]
#
#   -n N      pairs (default 15)
#   -o FILE   also write the report there
#   NESTRUN_STATIC  the static nestrun (default: <srcdir>/build-static/nestrun)
#
# Everything lives in a /tmp/nest-create.XXXXXX: the private dockerd, its store and
# images (tests/nested/helpers.bash); removed on exit, also on Ctrl-C.  Needs root.
set -euo pipefail

SELF=$(readlink -f "$0")
SRCDIR=$(dirname "$(dirname "$SELF")")
N=15
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$SELF" | sed '$d'; exit 0 ;;
	*) echo "nest-create.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "nest-create.sh: -n wants a positive number" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "nest-create.sh: needs root" >&2; exit 1; }

# shellcheck source=/dev/null
source "$SRCDIR/tests/nested/helpers.bash"
reason=$(nest_missing)
[ -z "$reason" ] || { echo "nest-create.sh: $reason" >&2; exit 1; }
NEST_WORK=$(mktemp -d /tmp/nest-create.XXXXXX)
export NEST_WORK
trap 'nest_dockerd_stop || true' EXIT # errexit off inside: a step that finds nothing must not stop the cleanup
trap 'exit 130' INT
trap 'exit 143' TERM

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
nest_dockerd_start
nest_images
echo "nest-create.sh: $N pairs, private dockerd in $NEST_WORK" >&2

ms() { echo $((($2 - $1) / 1000000)); }
samples=$NEST_WORK/samples
: >"$samples"
for ((i = 1; i <= N; i++)); do
	order=(nest plain)
	((i % 2)) || order=(plain nest)
	for v in "${order[@]}"; do
		[ "$v" = nest ] && nested=1 || nested=0
		t0=$(date +%s%N)
		hdocker run -d --name "$v$i" --runtime nestrun --privileged -e NESTRUN_NESTED="$nested" \
			nestrun-dind:test sleep 100000 >/dev/null
		t1=$(date +%s%N)
		echo "$v $(ms "$t0" "$t1")" >>"$samples"
	done
	hdocker rm -f "nest$i" "plain$i" >/dev/null
done

header="# nest-create.sh, $(date +%F)

- $(nproc) CPUs, kernel $(uname -r); load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)
- $(dockerd --version), CLI $("$DOCKER_CLI" --version); nestrun: $NESTRUN_STATIC ($("$NESTRUN_STATIC" --version | head -n1))
"
report=$(
	python3 - "$samples" "$N" <<-'EOF'
		import collections, statistics, sys
		d = collections.defaultdict(list)
		for line in open(sys.argv[1]):
		    v, t = line.split()
		    d[v].append(int(t))
		print("`docker run -d` of the DinD image, %s interleaved pairs, ms:\n" % sys.argv[2])
		print("| variant | median | min |")
		print("|---|---|---|")
		for v in ("plain", "nest"):
		    print("| %s | %d | %d |" % (v, statistics.median(d[v]), min(d[v])))
		print("\nThe nest's share of a `docker run -d`: %+d ms (median)."
		      % (statistics.median(d["nest"]) - statistics.median(d["plain"])))
	EOF
)
printf '%s\n%s\n' "$header" "$report"
[ -z "$OUT" ] || { printf '%s\n%s\n' "$header" "$report" >"$OUT" && echo "nest-create.sh: wrote $OUT" >&2; }
