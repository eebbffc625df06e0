/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c: run a fuzz target's entry point over files, in the ordinary
 * build (make test; also under SAN=1 and valgrind). With no operand it
 * replays tests/fuzz/corpus/<target>/ (the committed seeds and what the
 * campaigns found) and tests/fixtures/fuzz/<target>/ (inputs that once
 * crashed). A crash, a sanitizer report or an invariant failure aborts
 * the run; otherwise it ends with "1 passed, 0 failed" like the unit tests.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

#define REPLAY_MAX (16u << 20)

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_file(const char *path, unsigned *n)
{
	struct qt_err err = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;

	if (fileio_read_all(path, REPLAY_MAX, &buf, &len, &err) < 0) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len); /* buf is never NULL, even for an empty file */
	free(buf);
	(*n)++;
	return 0;
}

/* Every regular file directly in dir, in name order; a missing dir is empty. */
static int
replay_dir(const char *dir, unsigned *n)
{
	struct dirent *de;
	char **names = NULL, **nn, path[4096];
	size_t cnt = 0, i;
	struct stat st;
	DIR *d;
	int r = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (cnt + 1) * sizeof(*names))) == NULL ||
		    (nn[cnt] = strdup(de->d_name)) == NULL) {
			names = nn != NULL ? nn : names;
			r = -1;
			break;
		}
		names = nn;
		cnt++;
	}
	closedir(d);
	if (cnt > 0)
		qsort(names, cnt, sizeof(*names), cmp_name);
	for (i = 0; i < cnt && r == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			r = replay_file(path, n);
	}
	for (i = 0; i < cnt; i++)
		free(names[i]);
	free(names);
	return r;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	unsigned n = 0;
	int i, r = 0;

	if (argc == 1) {
		r = replay_dir("tests/fuzz/corpus/" FUZZ_TARGET, &n);
		if (r == 0)
			r = replay_dir("tests/fixtures/fuzz/" FUZZ_TARGET, &n);
	}
	for (i = 1; i < argc && r == 0; i++)
		r = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i], &n)
		                                                   : replay_file(argv[i], &n);
	if (r < 0 || n == 0) {
		fprintf(stderr, "replay " FUZZ_TARGET ": %s\n", n == 0 ? "no inputs" : "failed");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("replay " FUZZ_TARGET ": %u inputs, no crash\n1 passed, 0 failed\n", n);
	return 0;
}
