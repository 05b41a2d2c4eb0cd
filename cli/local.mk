## cli/: thin command line, one file per subcommand
nestrun_SOURCES += cli/cli.h cli/main.c
