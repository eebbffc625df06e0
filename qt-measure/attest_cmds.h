/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest_cmds.h: the qt-measure subcommands about reference values and
 * attestation (man/qt-measure.1: MANIFEST, POLICY, VERIFY). Each takes the
 * arguments after the program name (argv[0] is the subcommand) and returns
 * the exit code; main() passes it through tool_finish().
 */
#ifndef QT_MEASURE_ATTEST_CMDS_H
#define QT_MEASURE_ATTEST_CMDS_H

int cmd_verify(int argc, char *argv[]);
int cmd_policy(int argc, char *argv[]);
int cmd_manifest(int argc, char *argv[]);

#endif
