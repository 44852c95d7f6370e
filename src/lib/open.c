// SPDX-License-Identifier: MIT
/*
 * Opening and closing a context: which backend and executor serve it, and
 * why, as the program, the environment and this machine decide.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib.h"

static const char *const backend_names[] = {
	[AIONL_BACKEND_AUTO] = "auto",
	[AIONL_BACKEND_KERNEL] = "kernel",
	[AIONL_BACKEND_USER] = "user",
};

static const char *const executor_names[] = {
	[AIONL_EXEC_AUTO] = "auto",
	[AIONL_EXEC_KERNEL] = "kernel",
	[AIONL_EXEC_URING] = "uring",
	[AIONL_EXEC_THREADS] = "threads",
};

#define NAMES(a) (sizeof(a) / sizeof((a)[0]))
#define AIONL_PARAMS_FLAGS                                                            \
	(AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_RAISE_NOFILE | AIONL_PARAMS_BIND_FD |  \
	 AIONL_PARAMS_NO_DIRECT)

AIONL_EXPORT const char *aionl_backend_name(enum aionl_backend backend)
{
	return (unsigned int)backend < NAMES(backend_names) ? backend_names[backend] : "auto";
}

AIONL_EXPORT const char *aionl_executor_name(enum aionl_executor executor)
{
	return (unsigned int)executor < NAMES(executor_names) ? executor_names[executor] : "auto";
}

uint64_t aionl__spin_ns(const struct aionl_params *p)
{
	if (p->spin_us < 0)
		return 0;
	return (uint64_t)(p->spin_us ? (unsigned int)p->spin_us : AIONL_DEFAULT_SPIN_US) * 1000;
}

/* The value of environment variable name among names, by index: 0 if unset. */
static int parse_env(const char *name, const char *const *names, unsigned int n, int *out)
{
	const char *v = getenv(name);
	unsigned int i;

	*out = 0;
	if (!v || !*v)
		return 0;
	for (i = 0; i < n; i++) {
		if (names[i] && strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return aionl__fail(-EINVAL, "%s=%s is not one of %s", name, v,
			   names == backend_names ? "auto|kernel|user" : "auto|uring|threads");
}

struct choice {
	enum aionl_backend backend;
	enum aionl_executor executor;
	const char *backend_why;
	const char *executor_why;
};

static int choose(const struct aionl_params *p, struct choice *c)
{
	int b = p->backend, x = p->executor, err;

	c->backend_why = "asked for by aionl_params";
	c->executor_why = "asked for by aionl_params";
	if ((unsigned int)b >= NAMES(backend_names) || (unsigned int)x >= NAMES(executor_names))
		return aionl__fail(-EINVAL, "aionl_params: unknown backend %d or executor %d", b, x);
	if (b == AIONL_BACKEND_AUTO) {
		if ((err = parse_env("AIONL_BACKEND", backend_names, NAMES(backend_names), &b)))
			return err;
		c->backend_why = "AIONL_BACKEND";
	}
	/*
	 * AIONL_EXECUTOR names an executor of the user engine: it fills in
	 * what the program left open, but does not argue with a program that
	 * named the kernel backend itself (aionl info's probe of it, say).
	 */
	if (x == AIONL_EXEC_AUTO && p->backend != AIONL_BACKEND_KERNEL) {
		if ((err = parse_env("AIONL_EXECUTOR", executor_names, NAMES(executor_names), &x)))
			return err;
		if (x == AIONL_EXEC_KERNEL)
			return aionl__fail(-EINVAL, "AIONL_EXECUTOR=kernel is not one of auto|uring|threads");
		c->executor_why = "AIONL_EXECUTOR";
	}
	/* The kernel backend is its own executor. */
	if (x == AIONL_EXEC_KERNEL && b != AIONL_BACKEND_USER) {
		b = AIONL_BACKEND_KERNEL;
		x = AIONL_EXEC_AUTO;
	}
	if (b == AIONL_BACKEND_KERNEL && x != AIONL_EXEC_AUTO)
		return aionl__fail(-EINVAL, "executor %s (%s) belongs to the user backend, but the "
				   "kernel backend was asked for (%s)", executor_names[x],
				   c->executor_why, c->backend_why);
	if (b == AIONL_BACKEND_USER && x == AIONL_EXEC_KERNEL)
		return aionl__fail(-EINVAL, "executor kernel belongs to the kernel backend, but the "
				   "user backend was asked for");
	/* Only the user engine has executors: naming one picks it. */
	if (b == AIONL_BACKEND_AUTO && x != AIONL_EXEC_AUTO) {
		b = AIONL_BACKEND_USER;
		c->backend_why = "an executor was named";
	}
	c->backend = b;
	c->executor = x;
	return 0;
}

/*
 * Close in a child after fork: the threads that served the context are not
 * in this process, so release the descriptors and memory of the child's
 * copy without waiting or sending anything. The parent's socket and engine
 * live on. The copy is whole: the fork waited for the context and its
 * engine to be between changes (fork.c, src/engine/fork.c).
 */
static void ctx_free_forked(struct aionl_ctx *ctx)
{
	if (ctx->fd >= 0)
		close(ctx->fd);
	/*
	 * The fork could not wait for this context (a fork from a signal
	 * handler that interrupted a thread inside it): its queue and tables
	 * may be half changed, and are left as they are, close-on-exec. The
	 * engine keeps its own count of that (aionl_engine_forget).
	 */
	if (ctx->ops && (ctx->fork_whole || ctx->ops->kind == AIONL_BACKEND_USER))
		ctx->ops->forget(ctx);
	if (!ctx->fork_whole)
		return;
	cq_fini(&ctx->cq);
	free(ctx->txbuf);
	free(ctx->rxbuf);
	free(ctx->rxctl);
	free(ctx);
}

void aionl__ctx_free(struct aionl_ctx *ctx)
{
	/*
	 * The engine ends when its socket ends, and a close ends it only if
	 * this was the last descriptor of our end: a child that has not
	 * exec'd, or a process sent it over SCM_RIGHTS, holds another. A
	 * shutdown ends it whoever holds copies. (Never in a forked child,
	 * whose socket is the parent's: ctx_free_forked.)
	 */
	if (ctx->fd >= 0 && ctx->ops && ctx->ops->kind == AIONL_BACKEND_USER)
		shutdown(ctx->fd, SHUT_RDWR);
	if (ctx->fd >= 0)
		close(ctx->fd);
	if (ctx->ops)
		ctx->ops->close(ctx);
	pthread_mutex_destroy(&ctx->tx_lock);
	pthread_mutex_destroy(&ctx->rx_lock);
	pthread_cond_destroy(&ctx->rx_cond);
	cq_fini(&ctx->cq);
	free(ctx->txbuf);
	free(ctx->rxbuf);
	free(ctx->rxctl);
	free(ctx);
}

struct aionl_ctx *aionl__ctx_alloc(void)
{
	struct aionl_ctx *ctx = calloc(1, sizeof(*ctx));
	pthread_condattr_t ca;

	if (!ctx)
		return NULL;
	ctx->fd = -1;
	pthread_mutex_init(&ctx->tx_lock, NULL);
	pthread_mutex_init(&ctx->rx_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->rx_cond, &ca);
	pthread_condattr_destroy(&ca);
	ctx->txbuf = malloc(AIONL_MAX_MSG_SIZE);
	ctx->rxbuf = malloc((size_t)RX_SLOTS * AIONL_MAX_MSG_SIZE);
	if (!ctx->txbuf || !ctx->rxbuf) {
		aionl__ctx_free(ctx);
		return NULL;
	}
	for (int i = 0; i < RX_SLOTS; i++)
		ctx->rxiov[i] = (struct iovec){ ctx->rxbuf + (size_t)i * AIONL_MAX_MSG_SIZE,
						AIONL_MAX_MSG_SIZE };
	return ctx;
}

/* Open the backend: the socket, whatever serves it, and the family on it. */
static int backend_open(struct aionl_ctx *ctx, const struct backend_ops *ops,
			const struct aionl_params *p, enum aionl_executor x, char *why,
			size_t why_len)
{
	int err;

	ctx->ops = ops;
	/* Room for the descriptors the engine passes back (OPEN, INSTALL). */
	if (ops->pass_fd && !ctx->rxctl) {
		ctx->rxctl = calloc(RX_SLOTS, RX_CTL_SIZE);
		if (!ctx->rxctl)
			return aionl__fail(-ENOMEM, "out of memory for the context");
	}
	err = ops->open(ctx, p, x, why, why_len);
	if (err)
		return err;
	err = ctl_resolve_family(ctx);
	if (err == -ENOENT && ops->kind == AIONL_BACKEND_KERNEL)
		return aionl__fail(-ENOENT, "the generic netlink family \"aionl\" is not registered "
				   "(aionl.ko is not loaded)");
	if (err)
		return aionl__fail(err, "resolving the aionl family: %s", strerror(-err));
	return 0;
}

/* Undo a failed backend_open, so that another backend may try. */
static void backend_close(struct aionl_ctx *ctx)
{
	if (ctx->fd >= 0)
		close(ctx->fd);
	ctx->fd = -1;
	ctx->ops->close(ctx);
	ctx->ops = NULL;
	ctx->backend = NULL;
	ctx->family = 0;
}

/*
 * Bind the context to the filesystem p names. The path is opened O_PATH:
 * nothing is read, and no open method of the filesystem runs.
 */
static int bind_ctx(struct aionl_ctx *ctx, const struct aionl_params *p)
{
	bool by_fd = p->flags & AIONL_PARAMS_BIND_FD;
	int fd, err;

	if ((err = ctx_need_cmd(ctx, AIONL_CMD_BIND, "aionl_ctx_open")))
		return err;
	fd = by_fd ? p->bind_fd : open(p->bind_path, O_PATH | O_CLOEXEC);
	if (by_fd)
		snprintf(ctx->bound_name, sizeof(ctx->bound_name), "fd %d", fd);
	else
		snprintf(ctx->bound_name, sizeof(ctx->bound_name), "%s", p->bind_path);
	if (fd < 0)
		return aionl__fail(by_fd ? -EBADF : -errno, "aionl_ctx_open: cannot bind to %s: %s",
				   ctx->bound_name, strerror(by_fd ? EBADF : errno));
	err = ctl_bind(ctx, fd, &ctx->bound_dev);
	if (!by_fd)
		close(fd);
	if (err)
		return aionl__fail(err, "aionl_ctx_open: cannot bind to %s: %s", ctx->bound_name,
				   strerror(-err));
	ctx->bound = true;
	return 0;
}

AIONL_EXPORT int aionl_ctx_open(struct aionl_ctx **ctxp, const struct aionl_params *params)
{
	static const struct aionl_params defaults;
	const struct aionl_params *p = params ? params : &defaults;
	struct aionl_ctx *ctx;
	struct choice c = { 0 };
	char why_kernel[96] = "", why_exec[96] = "";
	int err;

	if (!ctxp)
		return aionl__fail(-EINVAL, "aionl_ctx_open: ctxp is NULL");
	err = choose(p, &c);
	if (err)
		return err;
	if (p->flags & ~AIONL_PARAMS_FLAGS)
		return aionl__fail(-EINVAL, "aionl_params: unknown flags %#x",
				   p->flags & ~AIONL_PARAMS_FLAGS);
	if ((p->flags & AIONL_PARAMS_BIND_FD) && p->bind_path)
		return aionl__fail(-EINVAL, "aionl_params: bind_path and AIONL_PARAMS_BIND_FD "
				   "both name a filesystem");
	aionl__fork_watch();
	err = aionl__fd_floor_update(p->flags & AIONL_PARAMS_RAISE_NOFILE);
	if (err)
		return aionl__fail(err, "RLIMIT_NOFILE: %s", strerror(-err));
	ctx = aionl__ctx_alloc();
	if (!ctx)
		return aionl__fail(-ENOMEM, "out of memory for the context");
	ctx->fork_gen = atomic_load(&aionl__fork_gen);

	err = -ENOENT;
	if (c.backend != AIONL_BACKEND_USER) {
		err = backend_open(ctx, &aionl__backend_kernel, p, c.executor, why_exec,
				   sizeof(why_exec));
		if (err && c.backend == AIONL_BACKEND_KERNEL)
			goto fail;
		if (err) {
			snprintf(why_kernel, sizeof(why_kernel), "%s", aionl_error_message());
			backend_close(ctx);
		}
	}
	if (err) {
		err = backend_open(ctx, &aionl__backend_user, p, c.executor, why_exec,
				   sizeof(why_exec));
		if (err)
			goto fail;
	}
	ctx->info.backend = ctx->ops->kind;
	err = ctl_get_info(ctx);
	if (err)
		goto fail;
	if (p->bind_path || (p->flags & AIONL_PARAMS_BIND_FD)) {
		err = bind_ctx(ctx, p);
		if (err)
			goto fail;
	}
	ctx->max_inflight = p->max_inflight ? p->max_inflight : AIONL_DEFAULT_MAX_INFLIGHT;
	if (ctx->max_inflight > ctx->info.max_inflight)
		ctx->max_inflight = ctx->info.max_inflight;
	ctx->info.max_inflight = ctx->max_inflight;
	/* One CPU: the thread a spinner waits for could only run once it stops. */
	ctx->spin_ns = aionl__ncpus() > 1 ? aionl__spin_ns(p) : 0;
	aionl_spin_init(&ctx->spin);
	ctx->inline_reads = ctx->ops->inline_read && !(p->flags & AIONL_PARAMS_NO_INLINE);
	ctx->direct = ctx->ops->direct && !(p->flags & AIONL_PARAMS_NO_DIRECT);
	if (ctx->info.backend == AIONL_BACKEND_KERNEL)
		snprintf(ctx->info.reason, sizeof(ctx->info.reason), "kernel: %s",
			 c.backend == AIONL_BACKEND_KERNEL ? c.backend_why :
			 "the aionl family is registered");
	else
		snprintf(ctx->info.reason, sizeof(ctx->info.reason), "user: %s; %s: %s",
			 c.backend == AIONL_BACKEND_USER ? c.backend_why : why_kernel,
			 aionl_executor_name(ctx->info.executor),
			 c.executor != AIONL_EXEC_AUTO ? c.executor_why : why_exec);
	if (ctx->bound) {
		size_t len = strlen(ctx->info.reason);

		snprintf(ctx->info.reason + len, sizeof(ctx->info.reason) - len,
			 "; bound to filesystem %u:%u (%s)", major(ctx->bound_dev),
			 minor(ctx->bound_dev), ctx->bound_name);
	}
	aionl__fork_track(ctx);
	*ctxp = ctx;
	return 0;
fail:
	aionl__ctx_free(ctx);
	return err;
}

AIONL_EXPORT void aionl_ctx_close(struct aionl_ctx *ctx)
{
	if (ctx)
		aionl__fork_untrack(ctx);
	if (ctx && ctx_forked(ctx))
		ctx_free_forked(ctx);
	else if (ctx)
		aionl__ctx_free(ctx);
}

AIONL_EXPORT int aionl_ctx_fd(const struct aionl_ctx *ctx)
{
	int err = ctx_check(ctx, "aionl_ctx_fd");

	return err ? err : ctx->fd;
}

AIONL_EXPORT int aionl_ctx_info(struct aionl_ctx *ctx, struct aionl_info *info)
{
	int err = ctx_check(ctx, "aionl_ctx_info");

	if (err)
		return err;
	if (!info)
		return aionl__fail(-EINVAL, "aionl_ctx_info: NULL argument");
	*info = ctx->info;
	return 0;
}

AIONL_EXPORT int aionl_probe(enum aionl_backend backend, enum aionl_executor executor)
{
	struct aionl_params p = { .backend = backend, .executor = executor };
	struct aionl_ctx *ctx;
	struct choice c;
	int err;

	/* What aionl_ctx_open would refuse, refused the same way. */
	err = choose(&p, &c);
	if (err)
		return err;
	if (c.backend == AIONL_BACKEND_USER && c.executor != AIONL_EXEC_AUTO &&
	    aionl__backend_user.probe)
		return aionl__backend_user.probe(c.executor);
	err = aionl_ctx_open(&ctx, &p);
	if (!err)
		aionl_ctx_close(ctx);
	return err;
}
