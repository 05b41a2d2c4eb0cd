## common/: leaf helpers (errors, cleanup, log, json, fs)
libnestrun_a_SOURCES += \
	common/cleanup.h \
	common/error.c common/error.h \
	common/log.c common/log.h \
	common/json.c common/json.h \
	common/fs.c common/fs.h \
	common/debug.c common/debug.h
