// bench/snapshot's crowd: forks N children that each wait in pause(), prints "ready"
// once all exist, and ends them all when it is sent SIGTERM (or its stdin closes).
//
//   forkpause N
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	setpgid(0, 0);
	for (int i = 0; i < n; i++) {
		pid_t child = fork();

		if (child < 0) {
			perror("fork");
			kill(0, SIGKILL);
		}
		if (child == 0) {
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
