/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procopt_int.h - what lib/procopt's files share, not for the tools:
 * procopt_env.c builds the program's environment and finds the program in
 * it; procopt_exec.c does the set-up in runc's order.
 */
#ifndef CTU_PROCOPT_INT_H
#define CTU_PROCOPT_INT_H

#include "procopt.h"

/* The name of RLIMIT_* @resource as --rlimit takes it ("nofile"), or "?". */
const char *ctu_procopt_rlimit_name(int resource);

/* glibc's path for execvp when $PATH is unset (confstr(_CS_PATH)). */
#define CTU_PROCOPT_DEFAULT_PATH "/bin:/usr/bin"

/*
 * The program's environment: ours, or none with --clearenv, then each
 * --setenv replacing a variable of its name or added.  A NULL-terminated
 * array, newly allocated (the strings are not copied).
 */
char **ctu_procopt_environ(const struct ctu_procopt *p, ctu_err_t *err);

/* The value of @name in @envp, or NULL. */
const char *ctu_procopt_getenv(char *const envp[], const char *name);

/*
 * Finds @name as execvp would with @envp's PATH (glibc's default path
 * without one): a name with a '/' as it is, else the first executable file
 * in PATH's directories.  The path in *@path (newly allocated), or an
 * error of kind NOT_FOUND or CANNOT_EXEC, as the exec would give it.
 */
int ctu_procopt_lookup(const char *name, char *const envp[], char **path, ctu_err_t *err);

#endif
