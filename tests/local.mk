## tests/: the static test payload and the files the integration suites need.
## `make check` runs unit tests only (tests/unit/local.mk, tests/fuzz/local.mk register
## theirs); the bats suites run from tests/run-all.sh against the built nestrun.

## nr-payload is copied into every test bundle: fully static with glibc, and built
## without the sanitizers (ASan cannot link -static), whatever ./configure said.
check_PROGRAMS += tests/payload/nr-payload
tests_payload_nr_payload_SOURCES = tests/payload/init.c tests/payload/attack.c tests/payload/attack.h
tests_payload_nr_payload_CFLAGS = $(WARN_CFLAGS)
tests_payload_nr_payload_LDFLAGS = -static
tests_payload_nr_payload_LDADD =

EXTRA_DIST += tests/run-all.sh tests/helpers/recvtty.py \
	tests/integration/helpers.bash tests/integration/docker_helpers.bash \
	tests/integration/lifecycle.bats tests/integration/list.bats \
	tests/integration/spec.bats tests/integration/process.bats \
	tests/integration/mounts.bats tests/integration/devices.bats \
	tests/integration/namespaces.bats tests/integration/hooks.bats \
	tests/integration/cgroups.bats tests/integration/seccomp.bats \
	tests/integration/errors.bats tests/integration/docker.bats \
	hack/install-deps.sh .ci/run
