// bench/kinds' workload: N rounds of one pattern of calls (sockets over loopback, file
// changes in the current directory), as fast as possible. Prints "<rounds> <elapsed_ns>"
// so the caller computes ns per round.
//
//   kindloop connect N       a listener of its own: a non-blocking connect to it
//                              (EINPROGRESS), poll until established, accept, close both
//   kindloop accept N        a listener of its own: connect a client, accept, close both
//   kindloop bind N          socket, bind 127.0.0.1:0, listen, close
//   kindloop rename N        rename(2) a file to another name and back: two calls
//   kindloop chmod N         chmod(2) a file: one call
//   kindloop exec N          fork a child that execs /bin/true, and wait for it
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return a;
}

static int listener(int port)
{
	struct sockaddr_in a = loopback(port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		perror("listener");
		exit(1);
	}
	return fd;
}

/* Closes with a reset, as the loops' clients do: no TIME_WAIT to run out of ports with. */
static void close_reset(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long long rounds = argc > 2 ? atoll(argv[2]) : 0;

	if (argc < 3) {
		fprintf(stderr, "usage: kindloop connect N | accept N | bind N | rename N | chmod N | exec N\n");
		return 2;
	}
	int sockets = !strcmp(argv[1], "connect") || !strcmp(argv[1], "accept");
	int l = sockets ? listener(0) : -1;

	if (!sockets)
		close(open("kindloop.a", O_CREAT | O_WRONLY, 0644));
	struct sockaddr_in to = loopback(l >= 0 ? port_of(l) : 0);
	struct sockaddr_in any = loopback(0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long long i = 0; i < rounds; i++) {
		if (!strcmp(argv[1], "connect")) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			connect(fd, (struct sockaddr *)&to, sizeof(to));
			poll(&p, 1, 1000);
			close(accept(l, NULL, NULL));
			close_reset(fd);
		} else if (!strcmp(argv[1], "accept")) {
			int c = socket(AF_INET, SOCK_STREAM, 0), s;

			connect(c, (struct sockaddr *)&to, sizeof(to));
			s = accept(l, NULL, NULL);
			close(s);
			close_reset(c);
		} else if (!strcmp(argv[1], "rename")) {
			rename("kindloop.a", "kindloop.b");
			rename("kindloop.b", "kindloop.a");
		} else if (!strcmp(argv[1], "chmod")) {
			chmod("kindloop.a", i & 1 ? 0600 : 0644);
		} else if (!strcmp(argv[1], "exec")) {
			pid_t child = fork();

			if (child == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(child, NULL, 0);
		} else {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			bind(fd, (struct sockaddr *)&any, sizeof(any));
			listen(fd, 1);
			close(fd);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!sockets)
		unlink("kindloop.a");
	printf("%lld %lld\n", rounds, (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	return 0;
}
