## nested/: spec rewrite for nested containers; the create entry point
libnestrun_a_SOURCES += \
	nested/nested.h \
	nested/launch.c
