// bench/soak's workload: a steady, moderate mix of the events `sysnoop all` traces, with
// exact totals of what it did. Until SECONDS elapse, each iteration:
//  - forks a child that execs /bin/true, and reaps it (an exec and an exit);
//  - opens and closes OPENS_PER_ITER marker files DIR/churn-marker-<n> (opens);
//  - connects a TCP socket to 127.0.0.1:PORT, where its own listener thread accepts and
//    closes (a connect);
//  - every SPAWN_EVERY iterations, forks a child that does not exec: it starts 3 threads
//    that each open a marker file, joins them and exits with the number of opens that
//    succeeded as its status (those opens and an exit);
//  - sleeps SLEEP_NS, so it does not saturate a CPU.
// Then prints one JSON line: {"pid":P,"execs":N,"exits":N,"opens":N,"connects":N}.
// Every count is exact: anything that does not go as planned aborts the run (exit 1).
//
//   churn SECONDS DIR PORT        (cc -O2 -pthread -o churn bench/churn.c)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKERS 8
#define OPENS_PER_ITER 8
#define SPAWN_EVERY 10
#define SPAWN_THREADS 3
#define SLEEP_NS 1000000L /* 1 ms per iteration */

static char marker[MARKERS][4096];
static int listen_fd;
static struct sockaddr_in addr;
static long long execs, exits, opens, connects;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "churn: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *listener(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		else if (errno != EINTR && errno != ECONNABORTED)
			die("accept: %s", strerror(errno));
	}
	return NULL;
}

/* One open()+close() of a marker; returns 1 when the open succeeded. */
static int open_marker(unsigned n)
{
	int fd = open(marker[n % MARKERS], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void *spawned_thread(void *arg)
{
	return (void *)(long)open_marker((unsigned)(long)arg);
}

/* Reaps pid; the child must have exited normally. Returns its exit status. */
static int reap(pid_t pid, const char *what)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid (%s): %s", what, strerror(errno));
	if (!WIFEXITED(status))
		die("%s child %d did not exit normally (status 0x%x)", what, pid, status);
	exits++;
	return WEXITSTATUS(status);
}

static void run_true(void)
{
	static char *const argv[] = { "true", NULL };
	static char *const envp[] = { NULL };
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127); /* /bin/true itself always exits 0 */
	}
	if (reap(pid, "/bin/true") != 0)
		die("execve /bin/true failed in the child");
	execs++;
}

static void run_threads(unsigned n)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		pthread_t t[SPAWN_THREADS];
		int done = 0;
		for (int i = 0; i < SPAWN_THREADS; i++)
			if (pthread_create(&t[i], NULL, spawned_thread, (void *)(long)(n + i)) != 0)
				_exit(200);
		for (int i = 0; i < SPAWN_THREADS; i++) {
			void *ok;
			if (pthread_join(t[i], &ok) != 0)
				_exit(201);
			done += (int)(long)ok;
		}
		_exit(done); /* the number of opens that succeeded */
	}
	int done = reap(pid, "thread-spawning");
	if (done > SPAWN_THREADS)
		die("thread-spawning child failed (status %d)", done);
	opens += done;
	if (done != SPAWN_THREADS)
		die("a thread of the thread-spawning child could not open its marker");
}

static void connect_once(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* Close with a reset: no TIME_WAIT on either side, however long the run. */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		die("SO_LINGER: %s", strerror(errno));
	int r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	connects++;
	if (r < 0)
		die("connect to 127.0.0.1:%d: %s", ntohs(addr.sin_port), strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SECONDS DIR PORT\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[1]);
	const char *dir = argv[2];
	int port = atoi(argv[3]);
	if (seconds <= 0 || port <= 0 || port > 65535) {
		fprintf(stderr, "usage: %s SECONDS DIR PORT\n", argv[0]);
		return 2;
	}
	if (prctl(PR_SET_NAME, "churn", 0, 0, 0) < 0)
		die("PR_SET_NAME: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	/* The markers: creating them is an open of a marker too, and counted. */
	for (int i = 0; i < MARKERS; i++) {
		snprintf(marker[i], sizeof(marker[i]), "%s/churn-marker-%d", dir, i);
		int fd = open(marker[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			die("create %s: %s", marker[i], strerror(errno));
		opens++;
		close(fd);
	}

	/* Listening before the first connect, so none can be refused. */
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind 127.0.0.1:%d: %s", port, strerror(errno));
	if (listen(listen_fd, 4096) < 0)
		die("listen: %s", strerror(errno));
	pthread_t lt;
	if (pthread_create(&lt, NULL, listener, NULL) != 0)
		die("pthread_create (listener)");

	long long end = now_ns() + (long long)(seconds * 1e9);
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = SLEEP_NS };
	for (unsigned long iter = 0; now_ns() < end; iter++) {
		run_true();
		for (int i = 0; i < OPENS_PER_ITER; i++) {
			if (!open_marker(iter + i))
				die("open %s: %s", marker[(iter + i) % MARKERS], strerror(errno));
			opens++;
		}
		connect_once();
		if (iter % SPAWN_EVERY == 0)
			run_threads(iter);
		nanosleep(&pause, NULL);
	}

	printf("{\"pid\":%d,\"execs\":%lld,\"exits\":%lld,\"opens\":%lld,\"connects\":%lld}\n",
	       getpid(), execs, exits, opens, connects);
	fflush(stdout);
	/* The listener thread is blocked in accept(); exit_group ends it with the process. */
	return 0;
}
