// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * connrate.c - new TCP connections per second, for bench/run's ports section.
 *
 *   connrate serve PORT...          accept and close on each port, forever
 *   connrate ADDR PORT SECONDS      connect and close as fast as it can
 *
 * The client closes with SO_LINGER 0 (an RST, no TIME_WAIT): every
 * connection is a new conntrack entry and a new lookup in the NAT maps, which
 * is what is measured; its port numbers are the kernel's ephemeral ones.
 * Prints "N connections, F failed, in S s: R/s".  Built by bench/run itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(int n, char **ports)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	int i, one = 1;

	if (!p)
		return 1;
	for (i = 0; i < n; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(ports[i])) };

		/* non-blocking: each is drained in turn by one thread */
		p[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p[i].events = POLLIN;
		setsockopt(p[i].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(p[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(p[i].fd, 4096) < 0) {
			perror(ports[i]);
			return 1;
		}
	}
	for (;;) {
		if (poll(p, n, -1) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			int c;

			while (p[i].revents & POLLIN && (c = accept4(p[i].fd, NULL, NULL, 0)) >= 0)
				close(c);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	double t0, t, secs;
	long ok = 0, failed = 0;

	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: connrate serve PORT... | connrate ADDR PORT SECONDS\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	secs = atof(argv[3]);
	t0 = now();
	do {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0) {
			perror("socket");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			ok++;
		else
			failed++;
		close(s);
		t = now();
	} while (t - t0 < secs);
	/* the rate last: bench/run reads the last field */
	printf("%ld connections, %ld failed, in %.2f s: %.0f/s\n", ok, failed, t - t0, ok / (t - t0));
	return ok ? 0 : 1;
}
