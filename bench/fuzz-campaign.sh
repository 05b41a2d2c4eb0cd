#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Run a libFuzzer campaign against one nestrun fuzz target and report execs and crashes.
#
#   bench/fuzz-campaign.sh TARGET SECONDS [JOBS]
#
# TARGET is one of: config process resources state image layer (tests/fuzz/fuzz_TARGET.c).
# The libFuzzer binaries are built out of tree with clang, the whole library
# instrumented (-fsanitize=fuzzer-no-link,address,undefined), in $FUZZ_BUILD
# (default /tmp/nestrun-fuzz-build; reused when present).  The campaign starts from
# the seed corpus and keeps what it finds in $FUZZ_OUT/TARGET/corpus (default
# /tmp/nestrun-fuzz-out); crashes land in $FUZZ_OUT/TARGET/crashes.  JOBS > 1 runs
# that many workers (libFuzzer -fork).  FUZZ_RUNS=N stops after N execs (whichever
# of SECONDS and N comes first).  The last line is machine-readable:
#   campaign target=T seconds=S execs=N crashes=C slow_units=U corpus=K
# Exit status: 0 when no crash was found.
set -euo pipefail

usage() {
	echo "usage: $0 TARGET SECONDS [JOBS]" >&2
	echo "targets: config process resources state image layer" >&2
	exit 2
}
[ $# -ge 2 ] || usage
target=$1 seconds=$2 jobs=${3:-1}
case $target in config | process | resources | state | image | layer) ;; *) usage ;; esac
[[ $seconds =~ ^[0-9]+$ ]] && [[ $jobs =~ ^[0-9]+$ ]] || usage

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-/tmp/nestrun-fuzz-build}
out=${FUZZ_OUT:-/tmp/nestrun-fuzz-out}/$target
bin=$build/tests/fuzz/fuzz_${target}_libfuzzer

if [ ! -f "$build/Makefile" ]; then
	mkdir -p "$build"
	(cd "$build" && "$srcdir/configure" -q CC=clang --enable-fuzzers \
		CFLAGS='-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined') >&2
fi
make -C "$build" -s -j"$(nproc)" "tests/fuzz/fuzz_${target}_libfuzzer" >&2

mkdir -p "$out/corpus" "$out/crashes" "$out/tmp"
# the layer target unpacks under $TMPDIR: keep its debris in our directory
export TMPDIR=$out/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$out/fuzz.log
args=(-max_total_time="$seconds" -max_len=65536 -timeout=25 -rss_limit_mb=2048
	-artifact_prefix="$out/crashes/" -print_final_stats=1)
[ "$target" = layer ] && args+=(-max_len=262144)
[ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
[ "$jobs" -gt 1 ] && args+=(-fork="$jobs" -ignore_crashes=1)

# The layer target creates and removes files for every input: on ext4 that ran 3.5x
# slower than on tmpfs (inode allocation after deletes, ext4's recently_deleted).  As
# root it runs in a private mount namespace with a tmpfs on $TMPDIR, gone when it exits.
wrap=()
if [ "$target" = layer ] && [ "$(id -u)" = 0 ] && [ -z "${FUZZ_NO_TMPFS:-}" ]; then
	# shellcheck disable=SC2016  # expanded by the inner shell
	wrap=(unshare -m --propagation private sh -c 'mount -t tmpfs -o size=1g,mode=0700 nr-fuzz "$0" && exec "$@"' "$TMPDIR")
fi

rc=0
"${wrap[@]}" "$bin" "${args[@]}" "$out/corpus" "$srcdir/tests/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?

# -print_final_stats (single process) or the fork supervisor's last status line
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ -z "$execs" ]; then
	execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
fi
# crash-, leak-, timeout- (over -timeout) and oom- artifacts are failures; a
# slow-unit- one (over 10 s, e.g. a stall of a loaded machine) is reported apart
crashes=$(find "$out/crashes" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
slow=$(find "$out/crashes" -type f -name 'slow-unit-*' | wc -l)
corpus=$(find "$out/corpus" -type f | wc -l)
tail -n 5 "$log" >&2
echo "campaign target=$target seconds=$seconds execs=${execs:-0} crashes=$crashes slow_units=$slow corpus=$corpus log=$log"
[ "$crashes" -eq 0 ] && [ "$rc" -eq 0 ]
