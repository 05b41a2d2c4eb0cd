## tests/fuzz/: fuzz targets for parsers of untrusted bytes.  Each target's main()
## replays its seed corpus (one TAP line per input) as an ordinary check program;
## --enable-fuzzers also builds it as a libFuzzer binary (clang).

check_PROGRAMS += tests/fuzz/fuzz_config
TESTS += tests/fuzz/fuzz_config
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/config"'
tests_fuzz_fuzz_config_LDADD = $(NR_LIBS)
EXTRA_DIST += tests/fuzz/corpus/config

if ENABLE_FUZZERS
# A libFuzzer binary, built with make check.  For coverage of the library too,
# configure with CC=clang CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'.
#   tests/fuzz/fuzz_config_libfuzzer -max_len=65536 NEW_CORPUS_DIR $(srcdir)/tests/fuzz/corpus/config
check_PROGRAMS += tests/fuzz/fuzz_config_libfuzzer
tests_fuzz_fuzz_config_libfuzzer_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_libfuzzer_CPPFLAGS = $(AM_CPPFLAGS) -DNR_LIBFUZZER
tests_fuzz_fuzz_config_libfuzzer_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_config_libfuzzer_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_config_libfuzzer_LDADD = $(NR_LIBS)
endif
