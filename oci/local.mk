## oci/: config.json parsed into our own structs, and validated
libnestrun_a_SOURCES += \
	oci/config.h oci/config_internal.h \
	oci/config.c oci/config_process.c oci/config_resources.c oci/config_linux.c \
	oci/mount_options.c \
	oci/validate.c oci/validate_linux.c oci/validate_seccomp.c

check_PROGRAMS += tests/unit/test_oci_config
TESTS += tests/unit/test_oci_config
tests_unit_test_oci_config_SOURCES = tests/unit/test_oci_config.c tests/unit/tap.h
# the runtime-spec's good/bad examples, kept in the tree (tests/data/oci-runtime-spec)
tests_unit_test_oci_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSPEC_DIR='"$(abs_top_srcdir)/tests/data/oci-runtime-spec"'
tests_unit_test_oci_config_LDADD = $(NR_LIBS)
