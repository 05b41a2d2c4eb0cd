## cli/: thin command line, one file per subcommand
nestrun_SOURCES += cli/cli.h cli/main.c cli/common.c cli/common.h \
	cli/cmd_create.c cli/cmd_start.c cli/cmd_run.c cli/cmd_state.c \
	cli/cmd_kill.c cli/cmd_delete.c cli/cmd_list.c cli/cmd_spec.c \
	cli/cmd_features.c cli/cmd_tree.c cli/cmd_setup.c cli/cmd_exec.c cli/cmd_ps.c \
	cli/cmd_pause.c cli/cmd_events.c cli/cmd_update.c
