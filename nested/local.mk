## nested/: spec rewrite for nested containers; the create/delete entry points, `tree`
libnestrun_a_SOURCES += \
	nested/nested.h nested/nest.h \
	nested/launch.c nested/rewrite.c nested/detect.c nested/record.c \
	nested/steps_store.c nested/steps_engine.c nested/steps_host.c \
	nested/cleanup.c nested/delete.c nested/tree.c \
	oci/edit.c oci/edit.h oci/serialize.c oci/serialize.h
