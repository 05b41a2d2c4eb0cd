#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Build nestrun out of tree and run every test: the unit tests (`make check`,
# TAP through automake) and the bats integration suites (tests/integration/*.bats)
# against the nestrun just built.  Ends with one line
#     N passed, N failed, N skipped
# summed over the unit and integration tests, and exits non-zero on any failure.
#
# usage: tests/run-all.sh [--unit-only | --integration-only] [--filter REGEX]
#                         [--sanitizers] [--no-lint] [--build-dir DIR]
#   --filter REGEX   only the bats tests whose name matches (bats -f)
#   --sanitizers     also build ./configure --enable-sanitizers in DIR-sanitizers and
#                    run the unit tests and the bats suites (but docker.bats) with it
#   --no-lint        skip hack/lint.sh (cppcheck, clang's analyzer, shellcheck,
#                    clang-format), which a full run (no --*-only, no --filter) ends with
# Environment: BATS_TEST_TIMEOUT (default 300 s a test), JOBS (make -j, default 2).
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$SRCDIR/build"
UNIT=1
INTEGRATION=1
FILTER=
SANITIZERS=
LINT=1
JOBS=${JOBS:-2}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

usage() {
	sed -n 's/^# \{0,1\}//; 10,17p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--unit-only) INTEGRATION= ;;
	--integration-only) UNIT= ;;
	--filter)
		[ $# -ge 2 ] || usage
		FILTER=$2
		shift
		;;
	--filter=*) FILTER=${1#--filter=} ;;
	--sanitizers) SANITIZERS=1 ;;
	--no-lint) LINT= ;;
	--build-dir)
		[ $# -ge 2 ] || usage
		BUILD_DIR=$2
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "run-all.sh: unknown option $1" >&2
		usage
		;;
	esac
	shift
done
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$PWD/$BUILD_DIR" ;; esac

PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()
LOGDIR="$BUILD_DIR/test-logs"
mkdir -p "$LOGDIR"

note() { printf '\n=== %s\n' "$*"; }

ensure_configure() {
	if [ ! -x "$SRCDIR/configure" ] || [ ! -e "$SRCDIR/build-aux/tap-driver.sh" ] ||
		[ "$SRCDIR/configure" -ot "$SRCDIR/configure.ac" ]; then
		note "autogen"
		(cd "$SRCDIR" && ./autogen.sh) || return 1
	fi
}

# build DIR [CONFIGURE ARGS...]: configure once per directory, then make.
build() {
	local dir=$1
	shift
	ensure_configure || return 1
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$dir/Makefile" -ot "$SRCDIR/configure" ]; then
		note "configure $* (in $dir)"
		(cd "$dir" && "$SRCDIR/configure" "$@") || return 1
	fi
	note "make -j$JOBS (in $dir)"
	make -C "$dir" -j"$JOBS" || return 1
	make -C "$dir" -j"$JOBS" tests/payload/nr-payload || return 1
}

# unit_tests DIR LABEL: `make check`, counted from automake's summary.
unit_tests() {
	local dir=$1 label=$2 log="$LOGDIR/$2-unit.log" rc=0
	note "make check ($label)"
	make -C "$dir" -j"$JOBS" check 2>&1 | tee "$log" || rc=$?
	local pass skip xfail fail xpass error
	count() { sed -n "s/^# $1: *\([0-9][0-9]*\)\$/\1/p" "$log" | awk '{s += $1} END {print s + 0}'; }
	pass=$(count PASS)
	skip=$(count SKIP)
	xfail=$(count XFAIL)
	fail=$(count FAIL)
	xpass=$(count XPASS)
	error=$(count ERROR)
	PASSED=$((PASSED + pass + xfail))
	SKIPPED=$((SKIPPED + skip))
	FAILED=$((FAILED + fail + xpass + error))
	if [ "$rc" -ne 0 ] && [ $((fail + xpass + error)) -eq 0 ]; then
		# make check failed before any test could fail: a build error.
		FAILED=$((FAILED + 1))
		FAILURES+=("$label: make check failed (exit $rc) before running tests; see $log")
	elif [ $((fail + xpass + error)) -ne 0 ]; then
		FAILURES+=("$label: unit tests failed; see $dir/test-suite.log")
		if [ -f "$dir/test-suite.log" ]; then cat "$dir/test-suite.log"; fi
	fi
}

# bats_suites DIR LABEL [EXCLUDE-REGEX]: the integration suites against DIR/nestrun.
bats_suites() {
	local dir=$1 label=$2 exclude=${3:-} log="$LOGDIR/$2-bats.tap" rc=0
	local files=() f
	for f in "$SRCDIR"/tests/integration/*.bats; do
		[ -n "$exclude" ] && [[ "$(basename "$f")" =~ $exclude ]] && continue
		files+=("$f")
	done
	if [ ${#files[@]} -eq 0 ]; then
		note "no bats suites"
		return
	fi
	local args=(--tap)
	[ -n "$FILTER" ] && args+=(--filter "$FILTER")
	note "bats ($label): NESTRUN=$dir/nestrun ${#files[@]} files"
	NESTRUN="$dir/nestrun" NR_PAYLOAD="$dir/tests/payload/nr-payload" \
		bats "${args[@]}" "${files[@]}" </dev/null 2>&1 | tee "$log" || rc=$?
	local plan pass skip fail
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	skip=$(grep -cE '^ok [0-9]+ .*# [sS][kK][iI][pP]' "$log" || true)
	pass=$(($(grep -cE '^ok [0-9]+' "$log" || true) - skip))
	fail=$(grep -cE '^not ok [0-9]+' "$log" || true)
	# Tests announced by the plan that never reported (bats died) count as failed.
	if [ -n "$plan" ] && [ $((pass + skip + fail)) -lt "$plan" ]; then
		fail=$((plan - pass - skip))
	fi
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1
		FAILURES+=("$label: bats exited $rc without a failing test; see $log")
	fi
	PASSED=$((PASSED + pass))
	SKIPPED=$((SKIPPED + skip))
	FAILED=$((FAILED + fail))
	if [ "$fail" -ne 0 ]; then
		while IFS= read -r f; do FAILURES+=("$label: $f"); done < <(grep -E '^not ok [0-9]+' "$log" || true)
	fi
}

build_static() {
	local dir=$1
	ensure_configure || return 1
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$dir/Makefile" -ot "$SRCDIR/configure" ]; then
		(cd "$dir" && "$SRCDIR/configure" --enable-static) || return 1
	fi
	make -C "$dir" -j"$JOBS" nestrun
}

# A failed build is one failure; the remaining steps of that build are not run.
run_build() {
	local dir=$1 label=$2 exclude=$3 rc=0
	shift 3
	build "$dir" "$@" 2>&1 | tee "$LOGDIR/$label-build.log" || rc=$?
	if [ "$rc" -ne 0 ]; then
		FAILED=$((FAILED + 1))
		FAILURES+=("$label: build failed (exit $rc); see $LOGDIR/$label-build.log")
		return
	fi
	[ -n "$UNIT" ] && unit_tests "$dir" "$label"
	[ -n "$INTEGRATION" ] && bats_suites "$dir" "$label" "$exclude"
	return 0
}

START=$SECONDS
# The fully static nestrun: static.bats runs it in a busybox-only chroot, and the
# nesting suites inject it into containers (NESTRUN_STATIC).
if [ -n "$INTEGRATION" ]; then
	note "static build (in $BUILD_DIR-static)"
	if (build_static "$BUILD_DIR-static") >"$LOGDIR/static-build.log" 2>&1; then
		export NESTRUN_STATIC="$BUILD_DIR-static/nestrun"
	else
		tail -20 "$LOGDIR/static-build.log"
		FAILED=$((FAILED + 1))
		FAILURES+=("static: build failed; see $LOGDIR/static-build.log")
	fi
fi
run_build "$BUILD_DIR" default ''
if [ -n "$SANITIZERS" ]; then
	# ASan reports land in files, so reports from detached processes are not lost.
	rm -f "$LOGDIR"/asan.*
	export ASAN_OPTIONS="log_path=$LOGDIR/asan:detect_leaks=1"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGDIR/asan"
	# The engine suites (docker, containerd, CRI, podman, nesting) start daemons and
	# exercise the same runtime code as the core suites: the sanitizer build runs the
	# core suites only, to keep CI well under its time budget.
	run_build "$BUILD_DIR-sanitizers" sanitizers \
		'^(docker|engine_docker_ops|containerd|cri|podman|nested|nested_attacks|nested_podman|static)\.bats$' --enable-sanitizers
	unset ASAN_OPTIONS UBSAN_OPTIONS
	for f in "$LOGDIR"/asan.*; do
		[ -e "$f" ] || continue
		cat "$f"
		FAILED=$((FAILED + 1))
		FAILURES+=("sanitizers: report $f")
	done
fi

# Static analysis, one result per check, in a full run only.  The checks share one
# configured clang tree (cppcheck reads its config.h, the analyzer builds in it).
if [ -n "$LINT" ] && [ -n "$UNIT" ] && [ -n "$INTEGRATION" ] && [ -z "$FILTER" ]; then
	export LINT_BUILD="$BUILD_DIR-lint"
	for c in cppcheck analyzer shell format; do
		note "lint: $c"
		if "$SRCDIR/hack/lint.sh" "$c" 2>&1 | tee "$LOGDIR/lint-$c.log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
			PASSED=$((PASSED + 1))
		else
			FAILED=$((FAILED + 1))
			FAILURES+=("lint: $c; see $LOGDIR/lint-$c.log")
		fi
	done
fi

note "done in $((SECONDS - START)) s"
if [ ${#FAILURES[@]} -ne 0 ]; then
	echo "failures:"
	printf '  %s\n' "${FAILURES[@]}"
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
