// The benchmark's workload: N open()+close() pairs of one path, optionally paced to a
// target rate. Prints "<calls> <elapsed_ns>" so the caller computes ns per call.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s CALLS PATH [RATE_PER_SEC]\n", argv[0]);
		return 2;
	}
	long long calls = atoll(argv[1]);
	const char *path = argv[2];
	double rate = argc > 3 ? atof(argv[3]) : 0; /* 0: as fast as possible */
	long long start = now_ns();
	for (long long i = 0; i < calls; i++) {
		if (rate > 0 && (i & 63) == 0) {
			/* Pace in batches of 64: busy-wait until this batch is due. */
			long long due = start + (long long)(i * 1e9 / rate);
			while (now_ns() < due)
				;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	printf("%lld %lld\n", calls, now_ns() - start);
	return 0;
}
