## runtime/: the OCI lifecycle (one file per operation) and the in-child setup steps
libnestrun_a_SOURCES += \
	runtime/container.h \
	runtime/container_create.c \
	runtime/container_start.c \
	runtime/container_kill.c \
	runtime/container_delete.c \
	runtime/container_state.c \
	runtime/container_run.c \
	runtime/container_exec.c \
	runtime/container_cgroup_ops.c \
	runtime/container_events.c \
	runtime/state.c runtime/state.h \
	runtime/sync.c runtime/sync.h \
	runtime/namespaces.c runtime/namespaces.h \
	runtime/init.c runtime/init.h \
	runtime/process.c runtime/process.h \
	runtime/rootfs.c runtime/rootfs.h \
	runtime/mounts.c \
	runtime/mount_check.c \
	runtime/mount_lock.c \
	runtime/devices.c \
	runtime/terminal.c \
	runtime/netlink.c \
	runtime/hooks.c runtime/hooks.h \
	runtime/spec.c \
	runtime/features.c

check_PROGRAMS += tests/unit/test_sync
TESTS += tests/unit/test_sync
tests_unit_test_sync_SOURCES = tests/unit/test_sync.c tests/unit/tap.h
tests_unit_test_sync_LDADD = $(NR_LIBS)
