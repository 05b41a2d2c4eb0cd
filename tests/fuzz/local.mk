## tests/fuzz/: fuzz targets for parsers of untrusted bytes.  Each target's plain
## build replays its seed corpus (tests/fuzz/corpus/<target>/, one TAP line per
## input, main() in replay.c) as an ordinary check program, under the sanitizers
## when configured with --enable-sanitizers; --enable-fuzzers also builds each as a
## libFuzzer binary (clang).  bench/fuzz-campaign.sh TARGET SECONDS runs a campaign.

check_PROGRAMS += tests/fuzz/fuzz_config tests/fuzz/fuzz_process tests/fuzz/fuzz_resources \
	tests/fuzz/fuzz_state tests/fuzz/fuzz_image tests/fuzz/fuzz_layer
TESTS += tests/fuzz/fuzz_config tests/fuzz/fuzz_process tests/fuzz/fuzz_resources \
	tests/fuzz/fuzz_state tests/fuzz/fuzz_image tests/fuzz/fuzz_layer
FUZZ_REPLAY = tests/fuzz/replay.c tests/fuzz/fuzz.h

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/config"'
tests_fuzz_fuzz_config_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_process_SOURCES = tests/fuzz/fuzz_process.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_process_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/process"'
tests_fuzz_fuzz_process_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_resources_SOURCES = tests/fuzz/fuzz_resources.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_resources_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/resources"'
tests_fuzz_fuzz_resources_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_state_SOURCES = tests/fuzz/fuzz_state.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_state_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/state"'
tests_fuzz_fuzz_state_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_image_SOURCES = tests/fuzz/fuzz_image.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_image_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/image"'
tests_fuzz_fuzz_image_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_layer_SOURCES = tests/fuzz/fuzz_layer.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_layer_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/layer"'
tests_fuzz_fuzz_layer_LDADD = $(NR_LIBS)

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/gen-corpus.py bench/fuzz-campaign.sh \
	hack/lint.sh hack/lint-suppressions.txt hack/clang-format-clean.txt .clang-format \
	tests/integration/crash.bats tests/integration/concurrency.bats docs/security.md \
	tests/integration/hostile_config.bats tests/integration/hostile_layers.bats

if ENABLE_FUZZERS
# libFuzzer binaries, built with make check.  For coverage of the library too,
# configure with CC=clang CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'
# (bench/fuzz-campaign.sh does).  By hand:
#   tests/fuzz/fuzz_config_libfuzzer -max_len=65536 NEW_CORPUS_DIR $(srcdir)/tests/fuzz/corpus/config
NR_FUZZ_CPP = $(AM_CPPFLAGS) -DNR_LIBFUZZER
NR_FUZZ_CC = $(AM_CFLAGS) -fsanitize=fuzzer
NR_FUZZ_LD = $(AM_LDFLAGS) -fsanitize=fuzzer
check_PROGRAMS += tests/fuzz/fuzz_config_libfuzzer tests/fuzz/fuzz_process_libfuzzer \
	tests/fuzz/fuzz_resources_libfuzzer tests/fuzz/fuzz_state_libfuzzer \
	tests/fuzz/fuzz_image_libfuzzer tests/fuzz/fuzz_layer_libfuzzer
tests_fuzz_fuzz_config_libfuzzer_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_config_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_config_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_config_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_config_libfuzzer_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_process_libfuzzer_SOURCES = tests/fuzz/fuzz_process.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_process_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_process_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_process_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_process_libfuzzer_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_resources_libfuzzer_SOURCES = tests/fuzz/fuzz_resources.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_resources_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_resources_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_resources_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_resources_libfuzzer_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_state_libfuzzer_SOURCES = tests/fuzz/fuzz_state.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_state_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_state_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_state_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_state_libfuzzer_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_image_libfuzzer_SOURCES = tests/fuzz/fuzz_image.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_image_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_image_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_image_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_image_libfuzzer_LDADD = $(NR_LIBS)
tests_fuzz_fuzz_layer_libfuzzer_SOURCES = tests/fuzz/fuzz_layer.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_layer_libfuzzer_CPPFLAGS = $(FUZZ_LF_CPPFLAGS_)
tests_fuzz_fuzz_layer_libfuzzer_CFLAGS = $(NR_FUZZ_CC)
tests_fuzz_fuzz_layer_libfuzzer_LDFLAGS = $(NR_FUZZ_LD)
tests_fuzz_fuzz_layer_libfuzzer_LDADD = $(NR_LIBS)
endif
