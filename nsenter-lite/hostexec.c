// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostexec - the helper every program of nsenter-lite --toolbox runs
 * through: /.ctutils/bin/NAME is a symlink to it.  Static, so that it runs
 * in a root with no libc at all.
 *
 * Host binaries want the host's dynamic loader (/lib64/ld-linux-x86-64.so.2
 * on Debian), which a busybox or distroless root lacks.  So the helper finds
 * NAME (the basename of AT_EXECFN, what the kernel was asked to run) in the
 * toolbox's bin directories, reads the program's PT_INTERP and runs the
 * toolbox's copy of that loader with the toolbox's library directories:
 *
 *	/.ctutils/host<interp> --inhibit-cache --library-path LIBS --argv0 ARGV0 PROG ARGS
 *
 * (glibc 2.33+).  No LD_LIBRARY_PATH: the program's own children (strace's,
 * gdb's) run the container's programs normally.  A static program runs as
 * it is; a "#!" script runs with its interpreter from the toolbox.
 *
 * The configuration, written by nsenter-lite on the read-only root, holds
 * "bin DIR", "lib DIR" and "alias NAME PATH" lines (a symlink of a bin
 * directory resolved on the host: through /etc/alternatives, which the
 * toolbox leaves out), paths as this process sees them.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOST_ROOT "/.ctutils/host"
#define CONF_FILE "/.ctutils/lib/hostexec.conf"
#define MAX_CONF  ((size_t)1 << 20) /* 1 MiB */
#define MAX_DIRS  256
#define MAX_LINKS 40 /* the kernel's own limit on a path's symlinks */
#define MAX_PHNUM 512

enum { EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

struct conf {
	char *text;
	const char *bin[MAX_DIRS];
	size_t nbin;
	const char *lib[MAX_DIRS];
	size_t nlib;
	const char *alias; /* where our NAME's symlink led on the host, or NULL */
};

static const char *self = "hostexec";

static noreturn void die(int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "NAME: message[: why]" and the exit code of a program that could not run. */
static noreturn void die(int code, int errnum, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", self);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	exit(code);
}

static char *read_conf_text(void)
{
	int fd = open(CONF_FILE, O_RDONLY | O_CLOEXEC);
	char *text = malloc(MAX_CONF + 1);
	size_t len = 0;
	ssize_t n;

	if (fd < 0 || !text)
		die(EXIT_CANNOT_EXEC, errno, "cannot read %s (run through nsenter-lite --toolbox)",
		    CONF_FILE);
	while (len < MAX_CONF && (n = read(fd, text + len, MAX_CONF - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_CANNOT_EXEC, errno, "cannot read %s", CONF_FILE);
		len += (size_t)n;
	}
	close(fd);
	if (len == MAX_CONF)
		die(EXIT_CANNOT_EXEC, 0, "%s: over %zu bytes", CONF_FILE, MAX_CONF);
	text[len] = '\0';
	return text;
}

/* "alias NAME PATH" for @name: its PATH, or NULL. */
static const char *alias_of(char *line, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(line, "alias ", 6) != 0 || strncmp(line + 6, name, len) != 0 ||
	    line[6 + len] != ' ' || line[7 + len] != '/')
		return NULL;
	return line + 7 + len;
}

/* "bin DIR", "lib DIR" and @name's "alias" lines; comments and anything else skipped. */
static void read_conf(struct conf *c, const char *name)
{
	char *save = NULL;

	c->text = read_conf_text();
	for (char *line = strtok_r(c->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool is_bin = !strncmp(line, "bin /", 5), is_lib = !strncmp(line, "lib /", 5);

		if (is_bin && c->nbin < MAX_DIRS)
			c->bin[c->nbin++] = line + 4;
		else if (is_lib && c->nlib < MAX_DIRS)
			c->lib[c->nlib++] = line + 4;
		else if (!c->alias)
			c->alias = alias_of(line, name);
	}
}

static void join_path(char *out, size_t size, const char *a, const char *b)
{
	if ((size_t)snprintf(out, size, "%s%s%s", a, *b == '/' ? "" : "/", b) >= size)
		die(EXIT_NOT_FOUND, ENAMETOOLONG, "%s/%s", a, b);
}

/*
 * @path's last component followed as the host would: an absolute symlink
 * (/lib64/ld-linux-x86-64.so.2 -> /lib/...) means the host's, under
 * HOST_ROOT, not the container's.  In place; 0, or -errno.
 */
static int resolve_in_host(char *path, size_t size)
{
	for (int i = 0; i < MAX_LINKS; i++) {
		char target[PATH_MAX], dir[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (lstat(path, &st) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			return 0;
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		snprintf(dir, sizeof(dir), "%s", path);
		*strrchr(dir, '/') = '\0';
		join_path(path, size, target[0] == '/' ? HOST_ROOT : dir, target);
	}
	return -ELOOP;
}

/* NAME: where the host resolved it, else the first executable file in the bin directories. */
static bool find_program(const struct conf *c, const char *name, char *path, size_t size)
{
	struct stat st;

	if (c->alias && (size_t)snprintf(path, size, "%s", c->alias) < size) {
		if (resolve_in_host(path, size) == 0 && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return true;
	}
	for (size_t i = 0; i < c->nbin; i++) {
		join_path(path, size, c->bin[i], name);
		if (resolve_in_host(path, size) == 0 && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return true;
	}
	return false;
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

/* The program headers' place in a 64-bit or 32-bit ELF file; false when it is none. */
static bool elf_phdrs(int fd, bool *is64, uint64_t *phoff, unsigned int *phnum)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;
	unsigned int entsize;

	if (!read_at(fd, ident, sizeof(ident), 0) || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return false;
	*is64 = ident[EI_CLASS] == ELFCLASS64;
	if (*is64 && read_at(fd, &e64, sizeof(e64), 0))
		*phoff = e64.e_phoff, *phnum = e64.e_phnum, entsize = e64.e_phentsize;
	else if (ident[EI_CLASS] == ELFCLASS32 && read_at(fd, &e32, sizeof(e32), 0))
		*phoff = e32.e_phoff, *phnum = e32.e_phnum, entsize = e32.e_phentsize;
	else
		return false;
	/* the entry size the kernel insists on too */
	return *phnum <= MAX_PHNUM && entsize == (*is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
}

/* PT_INTERP of an ELF file: 1 found, 0 none (static), -1 not ELF or malformed. */
static int elf_interp(int fd, char *interp, size_t size)
{
	uint64_t phoff, offset = 0, filesz = 0;
	unsigned int phnum, type = PT_NULL;
	bool is64;

	if (!elf_phdrs(fd, &is64, &phoff, &phnum))
		return -1;
	for (unsigned int i = 0; i < phnum; i++) {
		Elf64_Phdr p64;
		Elf32_Phdr p32;

		if (is64 && read_at(fd, &p64, sizeof(p64), (off_t)(phoff + i * sizeof(p64))))
			type = p64.p_type, offset = p64.p_offset, filesz = p64.p_filesz;
		else if (!is64 && read_at(fd, &p32, sizeof(p32), (off_t)(phoff + i * sizeof(p32))))
			type = p32.p_type, offset = p32.p_offset, filesz = p32.p_filesz;
		else
			return -1;
		if (type != PT_INTERP)
			continue;
		if (filesz < 2 || filesz > size || !read_at(fd, interp, filesz, (off_t)offset) ||
		    interp[filesz - 1] != '\0' || interp[0] != '/')
			return -1;
		return 1;
	}
	return 0;
}

/* LIBS: the conf's lib directories, ':'-joined. */
static char *library_path(const struct conf *c)
{
	size_t len = 1, at = 0;
	char *s;

	for (size_t i = 0; i < c->nlib; i++)
		len += strlen(c->lib[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die(EXIT_CANNOT_EXEC, ENOMEM, "library path");
	for (size_t i = 0; i < c->nlib; i++)
		at += (size_t)snprintf(s + at, len - at, "%s%s", i ? ":" : "", c->lib[i]);
	return s;
}

/* Runs @prog with @args (args[0] the ARGV0 it gets): through the toolbox's loader if it has one. */
static noreturn void run_elf(const struct conf *c, const char *prog, char **args, size_t nargs)
{
	char interp[PATH_MAX], loader[PATH_MAX];
	int fd = open(prog, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 ? -1 : elf_interp(fd, interp, sizeof(interp));
	char **v;

	if (fd >= 0)
		close(fd);
	if (r == 1) {
		join_path(loader, sizeof(loader), HOST_ROOT, interp);
		if (resolve_in_host(loader, sizeof(loader)) == 0 && access(loader, X_OK) == 0) {
			v = calloc(nargs + 8, sizeof(*v));
			if (!v)
				die(EXIT_CANNOT_EXEC, ENOMEM, "%s", prog);
			v[0] = loader, v[1] = "--inhibit-cache", v[2] = "--library-path";
			v[3] = library_path(c), v[4] = "--argv0", v[5] = args[0];
			v[6] = (char *)prog;
			memcpy(v + 7, args + 1, nargs * sizeof(*v)); /* with the NULL */
			execv(loader, v);
			die(EXIT_CANNOT_EXEC, errno, "cannot execute %s", loader);
		}
	}
	/* static, or a loader the toolbox lacks: as the kernel runs it */
	execv(prog, args);
	die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, errno, "cannot execute %s", prog);
}

/* "#!INTERP [ARG]" of @prog into @line (split in place), or false. */
static bool script_line(const char *prog, char *line, size_t size, char **interp, char **arg)
{
	int fd = open(prog, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, line, size - 1, 0);
	char *end, *p;

	if (fd >= 0)
		close(fd);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	end = strchr(line, '\n');
	if (!end)
		return false;
	*end = '\0';
	p = line + 2 + strspn(line + 2, " \t");
	*interp = p;
	p += strcspn(p, " \t");
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		p += strspn(p, " \t");
		/* the kernel's rule: the rest of the line, trailing blanks dropped, is one argument
		 */
		for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		*arg = *p ? p : NULL;
	}
	return **interp == '/';
}

/* A "#!" script: its interpreter from the toolbox, given the script's path. */
static noreturn void run_script(const struct conf *c, const char *prog, char *interp, char *arg,
				char **argv, size_t argc)
{
	char path[PATH_MAX];
	char **v = calloc(argc + 3, sizeof(*v));
	size_t n = 0;

	if (!v)
		die(EXIT_CANNOT_EXEC, ENOMEM, "%s", prog);
	join_path(path, sizeof(path), HOST_ROOT, interp);
	if (resolve_in_host(path, sizeof(path)) < 0 || access(path, X_OK) < 0)
		die(EXIT_NOT_FOUND, 0, "%s: the toolbox has no interpreter %s", prog, interp);
	v[n++] = interp;
	if (arg)
		v[n++] = arg;
	v[n++] = (char *)prog;
	memcpy(v + n, argv + 1, argc * sizeof(*v)); /* argv[1..], with the NULL */
	run_elf(c, path, v, n + argc - 1);
}

int main(int argc, char **argv)
{
	/* the auxiliary vector's AT_EXECFN is a pointer, handed over as a number */
	// NOLINTNEXTLINE(performance-no-int-to-ptr)
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *name = execfn ? strrchr(execfn, '/') : NULL;
	char prog[PATH_MAX], line[PATH_MAX], *interp, *arg;
	struct conf c = { 0 };

	name = name ? name + 1 : execfn;
	if (!name || !*name || !strcmp(name, "hostexec") || argc < 1)
		die(EXIT_CANNOT_EXEC, 0,
		    "run as /.ctutils/bin/PROGRAM inside nsenter-lite --toolbox");
	self = name;
	read_conf(&c, name);
	if (!find_program(&c, name, prog, sizeof(prog)))
		die(EXIT_NOT_FOUND, 0, "not in the toolbox");
	if (script_line(prog, line, sizeof(line), &interp, &arg))
		run_script(&c, prog, interp, arg, argv, (size_t)argc);
	run_elf(&c, prog, argv, (size_t)argc);
}
