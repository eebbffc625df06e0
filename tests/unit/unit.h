/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unit.h: the unit-test harness. CHECK* record a failure with file:line and
 * go on; UNIT_END prints "N passed, N failed" and returns the exit status.
 */
#ifndef QT_UNIT_H
#define QT_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit {
	unsigned passed;
	unsigned failed;
};

#define CHECK(u, cond)                                                                             \
	do {                                                                                       \
		if (cond) {                                                                        \
			(u)->passed++;                                                             \
		} else {                                                                           \
			(u)->failed++;                                                             \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
		}                                                                                  \
	} while (0)

#define CHECK_MEM(u, a, b, n)                                                                      \
	do {                                                                                       \
		if (memcmp((a), (b), (n)) == 0) {                                                  \
			(u)->passed++;                                                             \
		} else {                                                                           \
			(u)->failed++;                                                             \
			printf("FAIL %s:%d: %s == %s (%zu bytes)\n", __FILE__, __LINE__, #a, #b,   \
			    (size_t)(n));                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_STR(u, a, b)                                                                         \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		if (check_a_ != NULL && check_b_ != NULL && strcmp(check_a_, check_b_) == 0) {     \
			(u)->passed++;                                                             \
		} else {                                                                           \
			(u)->failed++;                                                             \
			printf("FAIL %s:%d: %s == %s\n  got:  %s\n  want: %s\n", __FILE__,         \
			    __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",                      \
			    check_b_ ? check_b_ : "(null)");                                       \
		}                                                                                  \
	} while (0)

static inline int
unit_end(const struct unit *u)
{
	printf("%u passed, %u failed\n", u->passed, u->failed);
	return u->failed == 0 && u->passed > 0 ? 0 : 1;
}

/* Directory of the committed fixtures, relative to the project root (tests run from there). */
#define FIXTURES "tests/fixtures"

#endif
