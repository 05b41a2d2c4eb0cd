## runtime/security.mk: seccomp (the only libseccomp user), caps (the only libcap
## user), rlimits and oom_score_adj
libnestrun_a_SOURCES += \
	runtime/caps.c runtime/caps.h \
	runtime/rlimits.c runtime/rlimits.h \
	runtime/seccomp.h
if HAVE_SECCOMP
libnestrun_a_SOURCES += runtime/seccomp.c
endif

EXTRA_DIST += tests/data/seccomp/docker-default.json \
	tests/data/seccomp/docker-default-oci.json \
	tests/data/seccomp/docker-to-oci.py \
	tests/data/seccomp/README.md

check_PROGRAMS += tests/unit/test_caps
TESTS += tests/unit/test_caps
tests_unit_test_caps_SOURCES = tests/unit/test_caps.c tests/unit/tap.h
tests_unit_test_caps_LDADD = $(NR_LIBS)

if HAVE_SECCOMP
check_PROGRAMS += tests/unit/test_seccomp
TESTS += tests/unit/test_seccomp
tests_unit_test_seccomp_SOURCES = tests/unit/test_seccomp.c tests/unit/tap.h
tests_unit_test_seccomp_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSECCOMP_DATA_DIR='"$(abs_top_srcdir)/tests/data/seccomp"'
tests_unit_test_seccomp_LDADD = $(NR_LIBS)
endif
