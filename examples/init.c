/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init.c: the small init of the qt example, built statically. It does what
 * an enclave's bootstrap init does with the layout of spec/eif.md 9: mount
 * /dev, take the console, load any *.ko beside it, mount proc, sys, dev, tmp
 * and run under /rootfs, read /cmd and /env (one element per line), run the
 * command chrooted in /rootfs, then power off when it exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ITEMS 1024
#define MAX_FILE  (1 << 20)

static void
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, "qt-init: ", 9) < 0 || write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

static void
try_mount(const char *src, const char *dst, const char *type, unsigned long flags)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, NULL) < 0 && errno != EBUSY)
		say("mount %s on %s: %s", type, dst, strerror(errno));
}

/* Split a file of '\n'-terminated lines into a NULL-terminated vector. */
static char **
read_lines(const char *path, char *buf, size_t cap, char **items)
{
	size_t len = 0, n = 0;
	ssize_t r;
	char *p, *nl;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		say("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((r = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	for (p = buf; *p != '\0' && n < MAX_ITEMS; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		items[n++] = p;
	}
	items[n] = NULL;
	return items;
}

/* Load every *.ko in / (the bootstrap ramdisk's drivers), as the vendor init loads nsm.ko. */
static void
load_drivers(void)
{
	struct dirent *d;
	DIR *dir;
	size_t l;
	int fd;

	if ((dir = opendir("/")) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		l = strlen(d->d_name);
		if (l < 4 || strcmp(d->d_name + l - 3, ".ko") != 0)
			continue;
		if ((fd = openat(dirfd(dir), d->d_name, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (syscall(SYS_finit_module, fd, "", 0) < 0)
			say("%s: not loaded: %s", d->d_name, strerror(errno));
		close(fd);
	}
	closedir(dir);
}

int
main(void)
{
	static char cmdbuf[MAX_FILE], envbuf[MAX_FILE];
	static char *cmdv[MAX_ITEMS + 1], *envv[MAX_ITEMS + 1];
	char **argv, **envp;
	int fd, status = 0;
	pid_t pid;

	try_mount("dev", "/dev", "devtmpfs", MS_NOSUID);
	if ((fd = open("/dev/console", O_RDWR | O_NOCTTY)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	load_drivers();
	try_mount("proc", "/rootfs/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	try_mount("sys", "/rootfs/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	try_mount("dev", "/rootfs/dev", "devtmpfs", MS_NOSUID);
	try_mount("tmp", "/rootfs/tmp", "tmpfs", MS_NOSUID | MS_NODEV);
	try_mount("run", "/rootfs/run", "tmpfs", MS_NOSUID | MS_NODEV);
	argv = read_lines("/cmd", cmdbuf, sizeof(cmdbuf), cmdv);
	envp = read_lines("/env", envbuf, sizeof(envbuf), envv);
	if (argv == NULL || argv[0] == NULL || envp == NULL) {
		say("no command to run");
		goto off;
	}
	if ((pid = fork()) < 0) {
		say("fork: %s", strerror(errno));
		goto off;
	}
	if (pid == 0) {
		if (chroot("/rootfs") < 0 || chdir("/") < 0) {
			say("chroot /rootfs: %s", strerror(errno));
			_exit(127);
		}
		execve(argv[0], argv, envp);
		say("%s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	say("%s exited with status %d", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128);
off:
	sync();
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT); /* qemu -no-reboot turns this into an exit too */
	for (;;)
		pause();
}
