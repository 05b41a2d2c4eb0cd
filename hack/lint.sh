#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis of the tree; run from anywhere, in CI and by hand.
#
#   hack/lint.sh [cppcheck|analyzer|shell|format]...   (default: all four)
#
#   cppcheck    the C sources, with hack/lint-suppressions.txt (each entry explained)
#   analyzer    clang's static analyzer: scan-build over an out-of-tree clang build
#               in $LINT_BUILD (default: a fresh temporary directory), --status-bugs
#   shell       shellcheck over scripts, *.bash helpers and the bats suites (-s bash); findings of
#               severity warning and above fail (SHELLCHECK_SEVERITY=style shows all)
#   format      clang-format against .clang-format: files listed in
#               hack/clang-format-clean.txt must pass; the others are reported only
#               (the tree predates .clang-format; reformatting it is a separate change)
#
# Needs: cppcheck, clang-14 + clang-tools-14 (scan-build), shellcheck, clang-format-14.
# Exit status: non-zero if any check found something.
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 2
checks=("$@")
[ ${#checks[@]} -eq 0 ] && checks=(cppcheck analyzer shell format)
failed=()
C_DIRS=(common oci runtime imagestore nested engines cli tests/unit tests/fuzz tests/payload)

tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null && { echo "$t"; return 0; }
	done
	echo "lint: none of $* is installed" >&2
	return 1
}

# A configured tree for config.h and the analyzer: configure out of tree, never here.
build_dir() {
	if [ -z "${LINT_BUILD:-}" ]; then
		LINT_BUILD=$(mktemp -d /tmp/nestrun-lint.XXXXXX)
		LINT_BUILD_TMP=1
	fi
	mkdir -p "$LINT_BUILD" || return 1
	if [ ! -f "$LINT_BUILD/config.h" ]; then
		(cd "$LINT_BUILD" && "$src/configure" -q CC=clang >/dev/null) || return 1
	fi
}

run_cppcheck() {
	local cc out
	cc=$(tool cppcheck) || return 1
	build_dir || return 1
	out=$("$cc" -q --std=c11 --enable=warning,portability,performance --inline-suppr \
		-I . -I "$LINT_BUILD" --include="$LINT_BUILD/config.h" -D__linux__ -D__x86_64__ \
		--library=posix --suppress=missingIncludeSystem \
		--suppressions-list=hack/lint-suppressions.txt \
		--template='{file}:{line}: {severity}: {id}: {message}' -j"$(nproc)" "${C_DIRS[@]}" 2>&1 |
		grep -E '^[^ ]+:[0-9]+: ')
	[ -z "$out" ] && return 0
	echo "$out"
	return 1
}

run_analyzer() {
	local sb
	sb=$(tool scan-build-14 scan-build) || return 1
	build_dir || return 1
	make -C "$LINT_BUILD" -s clean >/dev/null 2>&1
	# -Wno-unused-command-line-argument: automake passes -c with -o
	# unix.Malloc is off: clang 14's analyzer does not model __attribute__((cleanup)),
	# so every _cleanup_free_ variable is a "potential leak" (27 of 27 reports, checked
	# by hand); LeakSanitizer covers leaks in the sanitizer build instead.
	# deadcode.DeadStores: "x = NULL" after a free is house style (hack/lint-suppressions.txt).
	# `check TESTS=` builds everything and the tests, running none; not `all check`:
	# with -j the two goals' sub-makes raced on the same objects.
	"$sb" -o "$LINT_BUILD/scan-report" --status-bugs --use-cc=clang \
		-disable-checker unix.Malloc -disable-checker deadcode.DeadStores \
		make -C "$LINT_BUILD" -s -j"$(nproc)" check TESTS= >"$LINT_BUILD/scan.log" 2>&1
	local rc=$?
	grep -E 'warning:|error:|Error [0-9]|scan-build:' "$LINT_BUILD/scan.log" | grep -v '^ar:'
	return $rc
}

run_shellcheck() {
	local sc files=() bats=()
	sc=$(tool shellcheck) || return 1
	mapfile -t files < <(find bench hack tests .ci autogen.sh -type f \( -name '*.sh' -o -name '*.bash' -o -name run -o -name autogen.sh \) 2>/dev/null | sort)
	mapfile -t bats < <(find tests -name '*.bats' | sort)
	local rc=0
	[ ${#files[@]} -gt 0 ] && { "$sc" -S "${SHELLCHECK_SEVERITY:-warning}" -x -P SCRIPTDIR "${files[@]}" || rc=1; }
	# bats files are bash with @test blocks; -s bash, from their directory for `load`
	[ ${#bats[@]} -gt 0 ] && { (cd tests/integration && "$sc" -S "${SHELLCHECK_SEVERITY:-warning}" -s bash -x -P SCRIPTDIR \
		-e SC2030,SC2031,SC2034 "${bats[@]#tests/integration/}") || rc=1; }
	return $rc
}

run_format() {
	local cf f clean=() dirty=() rc=0
	cf=$(tool clang-format-14 clang-format) || return 1
	mapfile -t clean < <(grep -v '^#' hack/clang-format-clean.txt 2>/dev/null)
	for f in $(find "${C_DIRS[@]}" -name '*.[ch]' | sort); do
		"$cf" --dry-run -Werror "$f" >/dev/null 2>&1 && continue
		if printf '%s\n' "${clean[@]}" | grep -qxF "$f"; then
			echo "$f: not clang-formatted (it is in hack/clang-format-clean.txt: run $cf -i $f)"
			rc=1
		else
			dirty+=("$f")
		fi
	done
	echo "format: ${#dirty[@]} older files differ from .clang-format (report only)"
	return $rc
}

for c in "${checks[@]}"; do
	echo "== $c"
	case $c in
	cppcheck) run_cppcheck || failed+=("$c") ;;
	analyzer) run_analyzer || failed+=("$c") ;;
	shell) run_shellcheck || failed+=("$c") ;;
	format) run_format || failed+=("$c") ;;
	*) echo "lint: unknown check $c" >&2; exit 2 ;;
	esac
done
[ -n "${LINT_BUILD_TMP:-}" ] && rm -rf "$LINT_BUILD"
if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: FAILED: ${failed[*]}"
	exit 1
fi
echo "lint: clean"
