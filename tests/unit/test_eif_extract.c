/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_extract.c: the golden image unpacked (contents, modes, counts),
 * a target that is not empty refused, nothing left behind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eif_extract.h"
#include "unit.h"

#define C5 FIXTURES "/golden/outputs/c5_signed_p384.eif"

static size_t
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct eif_extract_stats st;
	char base[] = "/tmp/test_eif_extract.XXXXXX", out[128], path[256], buf[16];
	struct stat sb;
	FILE *f;

	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(out, sizeof(out), "%s/out", base);
	CHECK(&u, eif_extract(C5, out, NULL, NULL, NULL, &st, &err) == 0);
	CHECK_STR(&u, err.msg, "");
	CHECK(&u, st.files == 5 && st.dirs == 9 && st.symlinks == 0 && st.skipped == 0);
	snprintf(path, sizeof(path), "%s/rootfs/bin/app", out);
	CHECK(&u, stat(path, &sb) == 0 && sb.st_size == 700 && (sb.st_mode & 07777) == 0755 &&
	              sb.st_mtime == 0);
	snprintf(path, sizeof(path), "%s/cmd", out);
	f = fopen(path, "r");
	CHECK(&u, f != NULL && fgets(buf, sizeof(buf), f) != NULL);
	CHECK_STR(&u, buf, "/bin/app\n");
	if (f != NULL)
		fclose(f);
	CHECK(&u, entries(base) == 1); /* no temporary directory left */

	/* the same target again: not empty */
	CHECK(&u, eif_extract(C5, out, NULL, NULL, NULL, &st, &err) == -1);
	snprintf(path, sizeof(path), "%s: not empty; extract into a new or empty directory", out);
	CHECK_STR(&u, err.msg, path);
	qt_err_clear(&err);
	CHECK(&u, entries(base) == 1);

	/* an unreadable image: nothing created */
	snprintf(out, sizeof(out), "%s/other", base);
	CHECK(&u,
	    eif_extract(FIXTURES "/golden/inputs/app.bin", out, NULL, NULL, NULL, &st, &err) == -1);
	CHECK(&u, entries(base) == 1);

	/* clean up with the shell's rm, outside the code under test */
	snprintf(path, sizeof(path), "rm -rf '%s'", base);
	CHECK(&u, system(path) == 0);
	return unit_end(&u);
}
