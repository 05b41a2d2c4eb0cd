## nested/: spec rewrite for nested containers; the create/delete entry points, `tree`
libnestrun_a_SOURCES += \
	nested/nested.h nested/nest.h \
	nested/launch.c nested/rewrite.c nested/detect.c nested/record.c \
	nested/steps_store.c nested/steps_engine.c nested/steps_podman.c nested/steps_host.c \
	nested/cleanup.c nested/delete.c nested/tree.c \
	oci/edit.c oci/edit.h oci/serialize.c oci/serialize.h

check_PROGRAMS += tests/unit/test_nested
TESTS += tests/unit/test_nested
tests_unit_test_nested_SOURCES = tests/unit/test_nested.c tests/unit/tap.h
tests_unit_test_nested_LDADD = $(NR_LIBS)
EXTRA_DIST += tests/integration/nested.bats tests/integration/nested_attacks.bats \
	tests/integration/nested_podman.bats tests/nested/helpers.bash \
	tests/nested/build-dind-image.sh tests/nested/store-sum.py docs/nested.md
