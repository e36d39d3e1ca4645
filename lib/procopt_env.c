// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt_env.c - --clearenv and --setenv, and the program found as execvp
 * finds it, but with the new environment's PATH: the lookup is made before
 * the barrier, while the execve comes last (procopt_int.h).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "procopt_int.h"

extern char **environ;

/* The index in @env (of @n) of the variable named as @var's NAME=, or @n. */
static size_t find_var(char **env, size_t n, const char *var)
{
	size_t len = strcspn(var, "=");

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], var, len) == 0 && env[i][len] == '=')
			return i;
	return n;
}

char **ctu_procopt_environ(const struct ctu_procopt *p, ctu_err_t *err)
{
	size_t n_ours = 0, n = 0;
	char **env;

	if (!p->clearenv)
		while (environ && environ[n_ours])
			n_ours++;
	env = calloc(n_ours + p->n_setenv + 1, sizeof(*env));
	if (!env) {
		ctu_err_errno(err, "cannot build the program's environment");
		return NULL;
	}
	for (; n < n_ours; n++)
		env[n] = environ[n];
	for (size_t i = 0; i < p->n_setenv; i++) {
		size_t at = find_var(env, n, p->setenv[i]);

		env[at] = (char *)p->setenv[i];
		if (at == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

const char *ctu_procopt_getenv(char *const envp[], const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return envp[i] + len + 1;
	return NULL;
}

/* An executable regular file for us (the ids are the program's now)? 0, or -errno. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	/*
	 * A seccomp profile loaded before the lookup (no_new_privs unset) may
	 * deny faccessat2, which glibc uses for AT_EACCESS (runtime-tools' and
	 * older docker profiles list only faccessat): fall back to the mode
	 * bits, as Go's exec.LookPath does for runc.
	 */
	if (errno == EPERM || errno == ENOSYS)
		return st.st_mode & 0111 ? 0 : -EACCES;
	return -errno;
}

static int not_found(const char *name, int e, ctu_err_t *err)
{
	if (e == -ENOENT) {
		ctu_err_make(err, 0, "failed to execute %s: executable file not found in $PATH",
			     name);
		return ctu_err_set_kind(err, CTU_ERR_NOT_FOUND);
	}
	ctu_err_make(err, -e, "failed to execute %s", name);
	return ctu_err_set_kind(err, CTU_ERR_CANNOT_EXEC);
}

/* Each directory of @search in turn; "" is the working directory, as execvp. */
static int search_path(const char *name, const char *search, char **path, ctu_err_t *err)
{
	int seen = -ENOENT;

	for (const char *d = search;; d += strcspn(d, ":") + 1) {
		int len = (int)strcspn(d, ":"), e;
		char *candidate = NULL;

		if (asprintf(&candidate, "%.*s%s%s", len, d, len ? "/" : "", name) < 0)
			return ctu_err_errno(err, "cannot look up %s", name);
		e = executable(candidate);
		if (e == 0) {
			*path = candidate;
			return 0;
		}
		free(candidate);
		/* execvp goes on past a file it may not run, and reports EACCES at the end */
		if (e == -EACCES)
			seen = e;
		if (!d[len])
			break;
	}
	return not_found(name, seen, err);
}

int ctu_procopt_lookup(const char *name, char *const envp[], char **path, ctu_err_t *err)
{
	const char *search = ctu_procopt_getenv(envp, "PATH");
	int e;

	if (!*name) {
		errno = ENOENT;
		return not_found(name, -ENOENT, err);
	}
	if (strchr(name, '/')) {
		e = executable(name);
		if (e < 0) {
			ctu_err_make(err, -e, "failed to execute %s", name);
			return ctu_err_set_kind(err, e == -ENOENT ? CTU_ERR_NOT_FOUND
								  : CTU_ERR_CANNOT_EXEC);
		}
		*path = strdup(name);
		return *path ? 0 : ctu_err_errno(err, "cannot look up %s", name);
	}
	return search_path(name, search ? search : CTU_PROCOPT_DEFAULT_PATH, path, err);
}
