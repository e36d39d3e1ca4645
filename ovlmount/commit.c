// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit.c - ovlmount --commit (images.md "Commit"): a container's upper
 * layer written back as a new image into an OCI layout.  The target is a
 * mounted overlay (its upper read from mountinfo) or an upper directory
 * itself; the base is the image the store's lease names, or --from.  The
 * layer goes into a temporary blob first, so every refusal of the upper
 * (a redirect, a `.wh.` name) leaves the layout as it was; index.json is
 * replaced last.  Nothing is paused: freeze the container first (cgctl
 * freeze) for a consistent layer.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "commit.h"
#include "ctu.h"
#include "ovlmount.h"
#include "parse.h"

/* Where the layer comes from and what it goes onto. */
struct commit_job {
	const struct commit_request *req;
	char *upper;  /* the upper directory, absolute */
	char *target; /* the target, absolute: what a lease names */
	bool merged;  /* the target is a mounted overlay */
	char *lease_source;
	const char *base; /* SRC or "scratch" */
	int64_t mtime;
	char created[32];
};

static void job_free(struct commit_job *j)
{
	free(j->upper);
	free(j->target);
	free(j->lease_source);
}

/* MERGED: its upper from mountinfo; anything else must be the upper directory itself. */
static int find_upper(struct commit_job *j, ctu_err_t *err)
{
	const char *t = j->req->target;
	struct ctu_ovl_stack st = { 0 };
	int r;

	j->target = realpath(t, NULL);
	if (!j->target)
		return ctu_err_errno(err, "%s", t);
	r = ctu_ovl_stack_from_mount(j->target, &st);
	if (r == 0) {
		j->merged = true;
		if (!st.upper)
			r = ctu_err_make(err, 0, "%s: a read-only overlay: no upper layer to commit",
					 t);
		else if (st.upper[0] != '/')
			r = ctu_err_make(err, 0, "%s: the kernel recorded the upper '%s' relative "
					 "to where the mount was made", t, st.upper);
		else
			j->upper = ctu_steal_ptr(&st.upper);
		ctu_ovl_stack_free(&st);
		return r;
	}
	ctu_ovl_stack_free(&st);
	if (r != -ENOENT && r != -EINVAL)
		return ctu_err_make(err, -r, "cannot read the mount table for %s", t);
	j->upper = strdup(j->target);
	return j->upper ? 0 : ctu_err_make(err, ENOMEM, "%s", t);
}

/* The source the store's lease of the target names, if the store and a lease exist. */
static int lease_source(struct commit_job *j, ctu_err_t *err)
{
	struct store s;
	int r = store_open(j->req->store, false, LOCK_SH, &s, err);

	if (r < 0)
		return r;
	r = store_lease_source(&s, j->target, &j->lease_source, err);
	store_close(&s);
	return r;
}

/* The base: --from, else the lease's image (warned when they differ). */
static int choose_base(struct commit_job *j, ctu_err_t *err)
{
	const char *from = j->req->from;
	_cleanup_err_ ctu_err_t lerr = NULL;
	int r = lease_source(j, &lerr);

	if (r < 0)
		ctu_debug("commit: no lease for %s: %s", j->target, lerr->msg);
	if (r != 0) {
		free(j->lease_source);
		j->lease_source = NULL;
	}
	if (from && j->lease_source && strcmp(from, j->lease_source) != 0)
		ctu_warn(0, "%s was mounted from %s: committing onto --from %s", j->req->target,
			 j->lease_source, from);
	j->base = from ? from : j->lease_source;
	if (j->base)
		return 0;
	ctu_err_make(err, 0, "%s: no lease of the store names its image", j->req->target);
	return ctu_err_hint(err, "give its base: --from SRC, or --from scratch");
}

/* --mtime, else $SOURCE_DATE_EPOCH, else now; and as RFC 3339. */
static int choose_mtime(struct commit_job *j, ctu_err_t *err)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	struct tm tm;
	time_t t;

	j->mtime = j->req->mtime;
	if (j->mtime < 0 && env && *env) {
		if (ctu_parse_s64_range(env, 0, INT64_MAX / 2, &j->mtime) < 0)
			return ctu_err_make(err, 0, "SOURCE_DATE_EPOCH '%s': not seconds since 1970",
					    env);
	}
	if (j->mtime < 0)
		j->mtime = (int64_t)time(NULL);
	t = (time_t)j->mtime;
	if (!gmtime_r(&t, &tm) ||
	    !strftime(j->created, sizeof(j->created), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return ctu_err_make(err, EOVERFLOW, "--mtime %lld: out of range",
				    (long long)j->mtime);
	return 0;
}

static void base_close(struct commit_base *b)
{
	if (b->img) {
		img_image_free(b->img);
		free(b->img);
	}
	img_reader_free(b->reader);
}

/* The base image read from its source (an archive's layers spooled under @spoolfd). */
static int base_open(const char *spec, const struct img_platform *want, int spoolfd,
		     struct commit_base *b, ctu_err_t *err)
{
	struct img_source src;
	int r;

	if (strcmp(spec, "scratch") == 0)
		return want ? (b->platform = *want, 0) : img_platform_host(&b->platform, err);
	if (img_source_parse(spec, &src, err) < 0)
		return ctu_err_wrap(err, "--from");
	if (!want) {
		r = img_platform_host(&b->platform, err);
		want = &b->platform;
		if (r < 0)
			goto out;
	}
	r = img_reader_open(&src, src.transport == IMG_OCI ? -1 : spoolfd, &b->reader, err);
	if (r == 0) {
		b->img = calloc(1, sizeof(*b->img));
		r = b->img ? img_resolve(b->reader, &src, want, b->img, err) :
			     ctu_err_make(err, ENOMEM, "%s", spec);
	}
	if (r == 0)
		b->platform = b->img->platform;
out:
	img_source_free(&src);
	return r;
}

/* A directory for an archive base's spooled layers, removed at the end. */
static char *spool_dir(int *fd, ctu_err_t *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL;

	if (asprintf(&dir, "%s/ovlmount-commit.XXXXXX", tmp && *tmp ? tmp : "/var/tmp") < 0) {
		ctu_err_make(err, ENOMEM, "spool directory");
		return NULL;
	}
	if (!mkdtemp(dir)) {
		ctu_err_errno(err, "cannot make %s", dir);
		free(dir);
		return NULL;
	}
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		ctu_err_errno(err, "cannot open %s", dir);
		rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/* The layer, then the image, into the layout @o. */
static int write_commit(struct commit_job *j, struct oci_out *o, const struct commit_base *b,
			char digest[CTU_DIGEST_SIZE], ctu_err_t *err)
{
	_cleanup_close_ int upperfd = open(j->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct commit_layer l;

	if (upperfd < 0)
		return ctu_err_errno(err, "cannot open the upper %s", j->upper);
	if (commit_write_layer(upperfd, j->upper, j->mtime, j->req->compress, o, &l, err) < 0)
		return ctu_err_code(*err);
	return commit_image(o, b, &l, j->created, j->req->message, digest, err);
}

static int run(struct commit_job *j, struct oci_out *o, ctu_err_t *err)
{
	struct commit_base b = { 0 };
	char digest[CTU_DIGEST_SIZE];
	_cleanup_close_ int spoolfd = -1;
	_cleanup_free_ char *spool = NULL;
	int r;

	if (find_upper(j, err) < 0 || choose_base(j, err) < 0 || choose_mtime(j, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(j->base, "scratch") != 0 && strncmp(j->base, "oci:", 4) != 0) {
		spool = spool_dir(&spoolfd, err);
		if (!spool)
			return ctu_err_code(*err);
	}
	r = base_open(j->base, j->req->platform, spoolfd, &b, err);
	if (r == 0)
		r = oci_out_open(o, err);
	if (r == 0)
		r = write_commit(j, o, &b, digest, err);
	base_close(&b);
	if (spool)
		rmdir(spool);
	if (r == 0 && printf("%s\n", digest) < 0)
		r = ctu_err_errno(err, "cannot write to stdout");
	return r;
}

int ovl_commit(const struct commit_request *req, ctu_err_t *err)
{
	struct commit_job j = { .req = req };
	struct oci_out o;
	int r = oci_out_parse(req->to, &o, err);

	if (r == 0)
		r = run(&j, &o, err);
	/* every message names the upper's path, the layout or the source already */
	oci_out_close(&o, r == 0);
	job_free(&j);
	return r;
}
