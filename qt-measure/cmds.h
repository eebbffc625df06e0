/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmds.h: qt-measure's subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand name) and returns the exit code. To add one,
 * declare it here and add a line to the table in main.c.
 */
#ifndef QT_MEASURE_CMDS_H
#define QT_MEASURE_CMDS_H

/* qt-measure [options] IMAGE (no subcommand): argv[0] is the program name. */
int cmd_image(int argc, char *argv[]);
int cmd_describe(int argc, char *argv[]);
int cmd_pcr(int argc, char *argv[]);
int cmd_extend(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_ls(int argc, char *argv[]);
int cmd_extract(int argc, char *argv[]);
int cmd_diff(int argc, char *argv[]);

/* The whole synopsis, printed by --help and after usage errors. */
extern const char measure_usage[];
extern const char measure_help[];

#endif
