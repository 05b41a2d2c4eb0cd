## imagestore/: the content-addressed image store (the only libarchive user)
libnestrun_a_SOURCES += \
	imagestore/imagestore.h imagestore/internal.h imagestore/import.h \
	imagestore/sha256.c imagestore/sha256.h \
	imagestore/store.c imagestore/blobs.c imagestore/refs.c imagestore/image.c \
	imagestore/layers.c imagestore/import.c imagestore/import_plan.c \
	imagestore/import_docker.c imagestore/gc.c imagestore/info.c imagestore/render.c \
	imagestore/seed.c imagestore/seed_docker.c imagestore/seed_containers.c
nestrun_SOURCES += cli/cmd_image.h cli/cmd_image.c cli/cmd_image_show.c cli/cmd_image_seed.c

check_PROGRAMS += tests/unit/test_imagestore
TESTS += tests/unit/test_imagestore
tests_unit_test_imagestore_SOURCES = tests/unit/test_imagestore.c tests/unit/tap.h
tests_unit_test_imagestore_LDADD = $(NR_LIBS)
EXTRA_DIST += tests/integration/image.bats tests/integration/image_helpers.bash \
	tests/integration/gen-hostile-tars.py bench/image-import.sh

check_PROGRAMS += tests/unit/test_seed
TESTS += tests/unit/test_seed
tests_unit_test_seed_SOURCES = tests/unit/test_seed.c tests/unit/tap.h
tests_unit_test_seed_LDADD = $(NR_LIBS)
