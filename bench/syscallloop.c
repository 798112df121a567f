// bench/syscalls' workload: N getppid() syscalls, as fast as possible, or with `path`
// N faccessat(AT_FDCWD, "/etc/hostname", F_OK) (a call with a path for the tracer to
// read). Prints "<calls> <elapsed_ns>" so the caller computes ns per call.
#define _GNU_SOURCE
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long long calls = argc > 1 ? atoll(argv[1]) : 1000000;
	int path = argc > 2 && !strcmp(argv[2], "path");

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long long i = 0; i < calls; i++) {
		if (path)
			syscall(SYS_faccessat, AT_FDCWD, "/etc/hostname", F_OK);
		else
			syscall(SYS_getppid);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld %lld\n", calls, (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
