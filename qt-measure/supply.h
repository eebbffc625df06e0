/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply.h: qt-measure's supply-chain subcommands: provenance and
 * verify-provenance (provenance.c), corim (corim.c).
 */
#ifndef QT_MEASURE_SUPPLY_H
#define QT_MEASURE_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "qt.h"

int cmd_provenance(int argc, char *argv[]);
int cmd_verify_provenance(int argc, char *argv[]);
int cmd_corim(int argc, char *argv[]);

/* buf to path atomically, or to standard output when path is NULL or "-". */
int supply_write(const char *path, const uint8_t *buf, size_t len, struct qt_err *err);

#endif
