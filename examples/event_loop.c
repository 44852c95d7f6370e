// SPDX-License-Identifier: MIT
/*
 * A single-threaded server whose only wait is select() on one AIO socket.
 * Through it, it:
 *  - serves line-oriented TCP clients on loopback, answering each line in
 *    upper case (readiness of the listening socket, stream reads and writes);
 *  - reads a file asynchronously and reports its size and a checksum;
 *  - ticks a periodic timer;
 *  - shuts down cleanly on SIGINT or SIGTERM, which arrive as completions.
 *
 * usage: event_loop FILE [TICK_MS]
 * It prints "listening on 127.0.0.1:PORT" once it accepts connections.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <aionl.h>

/* Cookies: the kind in the top byte, an index below. */
enum { K_LISTEN = 1, K_TIMER, K_SIGNAL, K_FILE, K_READ, K_WRITE };
#define COOKIE(kind, i) ((uint64_t)(kind) << 56 | (uint64_t)(i))
#define KIND(c) ((int)((c) >> 56))
#define INDEX(c) ((unsigned int)((c) & 0xffffffffu))

#define MAX_CLIENTS 64
#define CHUNK 65536

struct client {
	bool used;
	uint64_t handle;
	char in[4096];
	char out[4096];
};

static struct aionl_ctx *ctx;
static struct client clients[MAX_CLIENTS];
static uint64_t file_handle, file_off, file_sum;
static char file_buf[CHUNK];

static void submit(struct aionl_req *r)
{
	if (aionl_submit(ctx, r, 1) != 1) {
		fprintf(stderr, "event_loop: submit: %s\n", aionl_error_message());
		exit(1);
	}
}

static void client_read(unsigned int i)
{
	struct aionl_req r;

	aionl_req_read(&r, clients[i].handle, clients[i].in, sizeof(clients[i].in),
		       AIONL_OFFSET_STREAM, COOKIE(K_READ, i));
	submit(&r);
}

static void client_drop(unsigned int i)
{
	aionl_file_unregister(ctx, clients[i].handle);	/* closes the connection */
	clients[i].used = false;
	printf("client %u gone\n", i);
}

static void accept_clients(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		unsigned int i;

		for (i = 0; i < MAX_CLIENTS && clients[i].used; i++)
			;
		if (i == MAX_CLIENTS || aionl_file_register(ctx, fd, &clients[i].handle)) {
			close(fd);
			continue;
		}
		close(fd);	/* the AIO socket holds its own reference */
		clients[i].used = true;
		printf("client %u connected\n", i);
		client_read(i);
	}
}

static void file_next(void)
{
	struct aionl_req r;

	aionl_req_read(&r, file_handle, file_buf, sizeof(file_buf), file_off, COOKIE(K_FILE, 0));
	submit(&r);
}

/* Returns false when it is time to stop. */
static bool handle(const struct aionl_cqe *c, int lfd, const char *path)
{
	unsigned int i = INDEX(c->cookie);

	switch (KIND(c->cookie)) {
	case K_LISTEN:
		if (c->res > 0)
			accept_clients(lfd);
		break;
	case K_TIMER:
		printf("tick %lld\n", (long long)c->res);
		break;
	case K_SIGNAL:
		printf("caught %s from pid %u, shutting down\n", strsignal(c->si.signo), c->si.pid);
		return false;
	case K_FILE:
		if (c->res < 0) {
			fprintf(stderr, "event_loop: %s: %s\n", path, strerror((int)-c->res));
			return false;
		}
		for (int64_t k = 0; k < c->res; k++)
			file_sum = file_sum * 31 + (unsigned char)file_buf[k];
		file_off += (uint64_t)c->res;
		if (c->res == 0)
			printf("read %llu bytes from %s, checksum %016llx\n",
			       (unsigned long long)file_off, path, (unsigned long long)file_sum);
		else
			file_next();
		break;
	case K_READ:
		if (c->res <= 0) {
			client_drop(i);
		} else {
			struct aionl_req r;

			for (int64_t k = 0; k < c->res; k++)
				clients[i].out[k] = (char)toupper((unsigned char)clients[i].in[k]);
			aionl_req_write(&r, clients[i].handle, clients[i].out, (size_t)c->res,
					AIONL_OFFSET_STREAM, COOKIE(K_WRITE, i));
			submit(&r);
		}
		break;
	case K_WRITE:
		if (c->res < 0)
			client_drop(i);
		else
			client_read(i);
		break;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	uint64_t tick_ms = argc > 2 ? strtoull(argv[2], NULL, 10) : 100;
	uint64_t lh;
	struct aionl_req r;
	sigset_t sigs;
	int lfd, ffd, one = 1;
	bool running = true;

	if (argc < 2) {
		fprintf(stderr, "usage: event_loop FILE [TICK_MS]\n");
		return 2;
	}
	ffd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (ffd < 0) {
		fprintf(stderr, "event_loop: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (aionl_ctx_open(&ctx, NULL)) {
		fprintf(stderr, "event_loop: %s\n", aionl_error_message());
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 64) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen)) {
		perror("event_loop: listen");
		return 1;
	}
	if (aionl_file_register(ctx, lfd, &lh) || aionl_file_register(ctx, ffd, &file_handle)) {
		fprintf(stderr, "event_loop: %s\n", aionl_error_message());
		return 1;
	}
	close(ffd);

	/* SIGINT and SIGTERM become completions: no signal handler anywhere. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	aionl_req_signal(&r, &sigs, COOKIE(K_SIGNAL, 0));
	submit(&r);
	aionl_req_timer(&r, CLOCK_MONOTONIC, tick_ms * 1000000, tick_ms * 1000000, 0,
			COOKIE(K_TIMER, 0));
	submit(&r);
	aionl_req_poll(&r, lh, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, COOKIE(K_LISTEN, 0));
	submit(&r);
	file_next();
	printf("listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
	fflush(stdout);

	while (running) {
		struct aionl_cqe cqes[64];
		fd_set rfds;
		int n;

		FD_ZERO(&rfds);
		FD_SET(aionl_ctx_fd(ctx), &rfds);
		if (select(aionl_ctx_fd(ctx) + 1, &rfds, NULL, NULL, NULL) < 0 && errno != EINTR) {
			perror("event_loop: select");
			return 1;
		}
		while (running && (n = aionl_reap(ctx, cqes, 64, 0, NULL)) > 0)
			for (int k = 0; k < n && running; k++)
				running = handle(&cqes[k], lfd, argv[1]);
		fflush(stdout);
	}
	/* Closing the context cancels the timer, the watches and the reads. */
	aionl_ctx_close(ctx);
	close(lfd);
	printf("bye\n");
	return 0;
}
