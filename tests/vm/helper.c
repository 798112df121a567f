// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Workloads for the guest checks (tests/vm/guest-init) that busybox cannot make: many
 * process exits, exact syscall counts, and threaded processes killed at once. Built
 * static by tests/vm/run into the initramfs as /usr/bin/sysnoop-vm-helper.
 *
 *   exits N NAME        N child processes named NAME, each of which only exits
 *   getpriority N NAME  N getpriority() calls under the name NAME
 *   threads P T MB      P processes of T threads each (MB MiB of memory touched), all
 *                       killed with SIGKILL at once; prints their pids, one per line
 *   open-as UID PATH    as UID, open PATH for reading; prints 0 or the errno
 *   connect-nb PORT     a non-blocking TCP connect to 127.0.0.1:PORT, then up to 3 s for
 *                       its outcome; prints the connect's errno (0 if none) and the
 *                       socket's error then (0: connected)
 *   caps-as UID MASK CMD...  runs CMD as UID (and its gid) holding exactly the
 *                       capabilities in MASK (hex, bit N = capability N) as ambient
 *                       ones, as `setcap` on CMD's file would give them (busybox has no
 *                       setpriv)
 *   priv NAME           as NAME: ptrace a child (attach, peek, detach), then as root
 *                       give up groups (setgroups 200 100), gids (setresgid 1000),
 *                       capabilities (capset: CAP_SETUID and CAP_SETGID) and uids
 *                       (setresuid 1000), then fail setuid(0) (EPERM); loads a BPF
 *                       socket filter "sn_test" first; prints the tracee's pid
 *   module NAME FILE MOD  as NAME: load FILE (module MOD) with finit_module and unload
 *                       it, load it from memory with init_module (parameters
 *                       "sn_test=1") and unload it, then fail finit_module on a file
 *                       that is no module (/init: ENOEXEC) and delete_module of a
 *                       module that is not there (ENOENT); prints FILE's size
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *blocked(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static long peeked_word = 0x5359534e4f4f50;

/* A socket filter "sn_test" (r0 = 0; exit): its fd. */
static int load_socket_filter(void)
{
	unsigned long long insns[2] = {0xb7, 0x95};
	union {
		struct {
			unsigned int prog_type, insn_cnt;
			unsigned long long insns, license;
			unsigned int log_level, log_size;
			unsigned long long log_buf;
			unsigned int kern_version, prog_flags;
			char prog_name[16];
		} a;
		char raw[128];
	} attr;

	/* Before 5.11 the kernel charges programs to the user's locked memory (sysnoop's maps included). */
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};

	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	memset(&attr, 0, sizeof(attr));
	attr.a.prog_type = 1; /* BPF_PROG_TYPE_SOCKET_FILTER */
	attr.a.insn_cnt = 2;
	attr.a.insns = (unsigned long)insns;
	attr.a.license = (unsigned long)"GPL";
	strcpy(attr.a.prog_name, "sn_test");
	return syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, &attr, sizeof(attr));
}

static int privilege_calls(const char *name)
{
	gid_t groups[] = {200, 100};
	struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {};
	long word = 0;
	pid_t tracee;

	prctl(PR_SET_NAME, name);
	tracee = fork();
	if (tracee < 0)
		die("fork");
	if (tracee == 0)
		for (;;)
			pause();
	if (syscall(SYS_ptrace, PTRACE_ATTACH, tracee, 0, 0))
		die("PTRACE_ATTACH");
	waitpid(tracee, NULL, 0);
	syscall(SYS_ptrace, PTRACE_PEEKDATA, tracee, &peeked_word, &word);
	syscall(SYS_ptrace, PTRACE_DETACH, tracee, 0, 0);
	kill(tracee, SIGKILL);
	waitpid(tracee, NULL, 0);
	if (word != peeked_word)
		die("PTRACE_PEEKDATA");
	if (load_socket_filter() < 0)
		die("BPF_PROG_LOAD");
	if (syscall(SYS_setgroups, 2, groups) || syscall(SYS_setresgid, 1000, 1000, -1))
		die("setgroups, setresgid");
	data[0].effective = data[0].permitted = (1 << CAP_SETUID) | (1 << CAP_SETGID);
	if (syscall(SYS_capset, &header, data) || syscall(SYS_setresuid, 1000, 1000, 1000))
		die("capset, setresuid");
	if (syscall(SYS_setuid, 0) == 0)
		die("setuid(0) as 1000");
	printf("%d\n", tracee);
	return 0;
}

static int module_calls(const char *name, const char *file, const char *module)
{
	static char image[16 << 20];
	int fd = open(file, O_RDONLY | O_CLOEXEC), init = open("/init", O_RDONLY | O_CLOEXEC);
	long len;

	prctl(PR_SET_NAME, name);
	if (fd < 0 || init < 0)
		die("open");
	if (syscall(SYS_finit_module, fd, "", 0))
		die("finit_module");
	if (syscall(SYS_delete_module, module, O_NONBLOCK))
		die("delete_module");
	len = read(fd, image, sizeof(image));
	if (len <= 0 || len == sizeof(image))
		die("read");
	if (syscall(SYS_init_module, image, len, "sn_test=1"))
		die("init_module");
	if (syscall(SYS_delete_module, module, O_NONBLOCK))
		die("delete_module");
	if (syscall(SYS_finit_module, init, "", 0) == 0 || errno != ENOEXEC)
		die("finit_module of /init");
	if (syscall(SYS_delete_module, "sysnoop_nosuch", O_NONBLOCK) == 0 || errno != ENOENT)
		die("delete_module of sysnoop_nosuch");
	printf("%ld\n", len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "module"))
		return module_calls(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "priv"))
		return privilege_calls(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "open-as")) {
		int fd;

		if (setgid(atoi(argv[2])) || setuid(atoi(argv[2])))
			die("setuid");
		fd = open(argv[3], O_RDONLY);
		printf("%d\n", fd < 0 ? errno : 0);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "connect-nb")) {
		struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])),
					    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0, error = 0;
		socklen_t len = sizeof(error);
		struct pollfd poll_fd = { .fd = fd, .events = POLLOUT };

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			err = errno;
		if (poll(&poll_fd, 1, 3000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len))
			error = -1;
		printf("%d %d\n", err, error);
		close(fd);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "caps-as")) {
		unsigned long long mask = strtoull(argv[3], NULL, 16);
		struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2] = { 0 };
		uid_t uid = atoi(argv[2]);

		if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) || setgid(uid) || setuid(uid))
			die("setuid");
		for (int i = 0; i < 2; i++)
			data[i].effective = data[i].permitted = data[i].inheritable = (unsigned)(mask >> (32 * i));
		if (syscall(SYS_capset, &header, data))
			die("capset");
		for (int cap = 0; cap < 64; cap++)
			if ((mask >> cap) & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
				die("PR_CAP_AMBIENT_RAISE");
		execvp(argv[4], argv + 4);
		die(argv[4]);
	}
	if (argc == 4 && !strcmp(argv[1], "exits")) {
		for (long i = 0, n = atol(argv[2]); i < n; i++) {
			pid_t pid = fork();
			if (pid < 0)
				die("fork");
			if (pid == 0) {
				prctl(PR_SET_NAME, argv[3]);
				syscall(SYS_exit_group, 0);
			}
			if (waitpid(pid, NULL, 0) != pid)
				die("waitpid");
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "getpriority")) {
		prctl(PR_SET_NAME, argv[3]);
		for (long i = 0, n = atol(argv[2]); i < n; i++)
			syscall(SYS_getpriority, PRIO_PROCESS, 0);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "threads")) {
		int processes = atoi(argv[2]), threads = atoi(argv[3]);
		long bytes = atol(argv[4]) << 20;
		pid_t *pids = calloc(processes, sizeof(*pids));
		for (int i = 0; i < processes; i++) {
			int ready[2];
			char c;
			if (pipe(ready))
				die("pipe");
			pids[i] = fork();
			if (pids[i] < 0)
				die("fork");
			if (pids[i] == 0) {
				char *memory = malloc(bytes + 1);
				pthread_t t;
				for (long k = 0; k < bytes; k += 4096)
					memory[k] = 1;
				for (int j = 1; j < threads; j++)
					if (pthread_create(&t, NULL, blocked, NULL))
						die("pthread_create");
				if (write(ready[1], "r", 1) != 1)
					die("write");
				blocked(NULL);
			}
			if (read(ready[0], &c, 1) != 1)
				die("read");
			close(ready[0]);
			close(ready[1]);
		}
		for (int i = 0; i < processes; i++)
			kill(pids[i], SIGKILL);
		for (int i = 0; i < processes; i++) {
			if (waitpid(pids[i], NULL, 0) != pids[i])
				die("waitpid");
			printf("%d\n", pids[i]);
		}
		return 0;
	}
	fprintf(stderr, "usage: %s exits N NAME | getpriority N NAME | threads P T MB | open-as UID PATH | connect-nb PORT | caps-as UID MASK CMD...\n",
		argv[0]);
	return 2;
}
