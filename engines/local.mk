## engines/: engine integration: `nestrun setup` registers nestrun in the config of
## docker (daemon.json), containerd (config.toml) and podman (containers.conf)
libnestrun_a_SOURCES += \
	engines/setup.c engines/setup.h \
	engines/toml.c engines/toml.h

check_PROGRAMS += tests/unit/test_setup
TESTS += tests/unit/test_setup
tests_unit_test_setup_SOURCES = tests/unit/test_setup.c tests/unit/tap.h
tests_unit_test_setup_LDADD = $(NR_LIBS)

EXTRA_DIST += tests/cri/cri.py bench/docker-latency.sh docs/engines.md \
	tests/integration/engine_helpers.bash \
	tests/integration/engine_docker_ops.bats tests/integration/containerd.bats \
	tests/integration/cri.bats tests/integration/podman.bats \
	tests/integration/ops_errors.bats
