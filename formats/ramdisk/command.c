/* SPDX-License-Identifier: Apache-2.0 */
/*
 * command.c: the command and environment the enclave runs, from the image
 * config and qt-build's overrides with `docker run` semantics, and their
 * form in the ramdisk: the "cmd" and "env" files, one element per line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ramdisk_private.h"

void
ramdisk_strv_free(struct ramdisk_strv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

int
rd_strv_push(struct ramdisk_strv *v, const char *s, struct qt_err *err)
{
	char **g;

	if ((g = realloc(v->v, (v->n + 2) * sizeof(*g))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	v->v = g;
	if ((v->v[v->n] = rd_strdup(s, err)) == NULL)
		return -1;
	v->n++;
	v->v[v->n] = NULL;
	return 0;
}

static int
check_line(const char *s, const char *what, struct qt_err *err)
{
	if (strchr(s, '\n') != NULL)
		return qt_err_set(err, EINVAL,
		    "%s element '%.40s' holds a newline, which the cmd/env files cannot carry",
		    what, s);
	return 0;
}

/* Append the n strings of src to v, each checked to fit on one line. */
static int
push_lines(
    struct ramdisk_strv *v, const char *const *src, size_t n, const char *what, struct qt_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check_line(src[i], what, err) < 0 || rd_strv_push(v, src[i], err) < 0)
			return -1;
	return 0;
}

/* Entrypoint then Cmd; --entrypoint replaces Entrypoint and drops the image's Cmd. */
static int
build_cmd(const struct ramdisk_config *cfg, const struct ramdisk_overrides *ov,
    struct ramdisk_strv *cmd, struct qt_err *err)
{
	int r = 0;

	if (ov->has_entrypoint)
		r = push_lines(cmd, ov->entrypoint, ov->n_entrypoint, "command", err);
	else if (cfg != NULL)
		r = push_lines(
		    cmd, (const char *const *)cfg->entrypoint.v, cfg->entrypoint.n, "command", err);
	if (r < 0)
		return -1;
	if (ov->has_cmd)
		r = push_lines(cmd, ov->cmd, ov->n_cmd, "command", err);
	else if (!ov->has_entrypoint && cfg != NULL)
		r = push_lines(cmd, (const char *const *)cfg->cmd.v, cfg->cmd.n, "command", err);
	if (r < 0)
		return -1;
	if (cmd->n == 0 || cmd->v[0][0] == '\0')
		return qt_err_set(err, EINVAL,
		    "no command to run: the image has no Entrypoint or Cmd; give --cmd");
	return 0;
}

/* --env KEY=VALUE: replaces KEY of env, else appended. */
static int
env_set(struct ramdisk_strv *env, const char *kv, struct qt_err *err)
{
	const char *eq = strchr(kv, '=');
	size_t j, kl;
	char *d;

	if (eq == NULL || eq == kv)
		return qt_err_set(err, EINVAL, "--env '%s': expected KEY=VALUE", kv);
	if (check_line(kv, "env", err) < 0)
		return -1;
	kl = (size_t)(eq - kv) + 1;
	for (j = 0; j < env->n; j++)
		if (strncmp(env->v[j], kv, kl) == 0)
			break;
	if (j == env->n)
		return rd_strv_push(env, kv, err);
	if ((d = rd_strdup(kv, err)) == NULL)
		return -1;
	free(env->v[j]);
	env->v[j] = d;
	return 0;
}

/*
 * The image's Env, then the overrides; an image (not a directory or tarball)
 * without PATH gets docker's default PATH first, as `docker run` sets it.
 */
static int
build_env(const struct ramdisk_config *cfg, const struct ramdisk_overrides *ov,
    struct ramdisk_strv *env, struct qt_err *err)
{
	size_t i;

	if (cfg != NULL) {
		bool path = false;

		for (i = 0; i < cfg->env.n; i++)
			path |= strncmp(cfg->env.v[i], "PATH=", 5) == 0;
		for (i = 0; i < ov->n_env; i++)
			path |= strncmp(ov->env[i], "PATH=", 5) == 0;
		if (!path && rd_strv_push(env, RAMDISK_DEFAULT_PATH, err) < 0)
			return -1;
	}
	if (cfg != NULL &&
	    push_lines(env, (const char *const *)cfg->env.v, cfg->env.n, "env", err) < 0)
		return -1;
	for (i = 0; i < ov->n_env; i++)
		if (env_set(env, ov->env[i], err) < 0)
			return -1;
	if (env->v == NULL && rd_strv_push(env, "", err) == 0) { /* keep v non-NULL, n = 0 */
		free(env->v[0]);
		env->v[0] = NULL;
		env->n = 0;
	}
	return 0;
}

int
ramdisk_command(const struct ramdisk_config *cfg, const struct ramdisk_overrides *ov,
    struct ramdisk_strv *ret_cmd, struct ramdisk_strv *ret_env, struct qt_err *err)
{
	static const struct ramdisk_overrides none = { 0 };
	struct ramdisk_strv cmd = { 0 }, env = { 0 };

	if (ov == NULL)
		ov = &none;
	if (build_cmd(cfg, ov, &cmd, err) < 0 || build_env(cfg, ov, &env, err) < 0) {
		ramdisk_strv_free(&cmd);
		ramdisk_strv_free(&env);
		return -1;
	}
	*ret_cmd = cmd;
	*ret_env = env;
	return 0;
}

/* The "cmd" or "env" file: "a\nb\n" for {a, b}. */
int
rd_join_lines(const struct ramdisk_strv *v, struct wbuf *out, struct qt_err *err)
{
	size_t i;

	for (i = 0; v != NULL && i < v->n; i++) {
		if (check_line(v->v[i], "cmd/env", err) < 0 ||
		    wbuf_put(out, v->v[i], strlen(v->v[i]), err) < 0 ||
		    wbuf_put_u8(out, '\n', err) < 0)
			return -1;
	}
	return 0;
}
