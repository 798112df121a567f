// For bench/startup-window: N failing opens of numbered paths (/tmp/nope/seq.<i>), so a
// trace shows exactly which calls it saw. Prints a CLOCK_BOOTTIME stamp every 1000 calls.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
	int n = atoi(argv[1]); char p[64]; struct timespec ts;
	long long *t = malloc(sizeof(long long) * (n / 1000 + 1));
	for (int i = 0; i < n; i++) {
		if (i % 1000 == 0) { clock_gettime(CLOCK_BOOTTIME, &ts); t[i/1000] = ts.tv_sec*1000000000LL + ts.tv_nsec; }
		snprintf(p, sizeof p, "/tmp/nope/seq.%d", i);
		int fd = open(p, O_RDONLY); if (fd >= 0) close(fd);
	}
	for (int i = 0; i < n / 1000; i++) printf("%lld\n", t[i]);
}
