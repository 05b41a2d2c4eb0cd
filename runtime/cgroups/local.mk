## runtime/cgroups: one manager over cgroup v1, v2, hybrid and none
libnestrun_a_SOURCES += \
	runtime/cgroups/cgroups.h runtime/cgroups/internal.h \
	runtime/cgroups/cgroups.c \
	runtime/cgroups/mounts.c \
	runtime/cgroups/util.c \
	runtime/cgroups/v1.c \
	runtime/cgroups/v2.c \
	runtime/cgroups/devices.c \
	runtime/cgroups/bpf.c \
	runtime/cgroups/control.c \
	runtime/cgroups/stats.c \
	runtime/cgroups/notify.c

check_PROGRAMS += tests/unit/test_cgroups
TESTS += tests/unit/test_cgroups
tests_unit_test_cgroups_SOURCES = tests/unit/test_cgroups.c
tests_unit_test_cgroups_LDADD = $(NR_LIBS)

check_PROGRAMS += tests/unit/test_cgroups_tree
TESTS += tests/unit/test_cgroups_tree
tests_unit_test_cgroups_tree_SOURCES = tests/unit/test_cgroups_tree.c
tests_unit_test_cgroups_tree_LDADD = $(NR_LIBS)

## root only: a real cgroup on this host (skipped otherwise)
check_PROGRAMS += tests/unit/test_cgroups_root
TESTS += tests/unit/test_cgroups_root
tests_unit_test_cgroups_root_SOURCES = tests/unit/test_cgroups_root.c
tests_unit_test_cgroups_root_LDADD = $(NR_LIBS)
