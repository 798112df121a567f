// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF-LSM, for observation only: lsm/file_open and lsm/socket_connect. They see what
 * syscall tracepoints miss (the binary an exec opens, io_uring, kernel-internal opens,
 * the file every lookup ended at) and always return the verdict they were given, so
 * they can never deny anything. Where the kernel refuses lsm programs (not in `lsm=`,
 * or EPERM as on some hosts), sysnoop says so instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "lsm.h"
#include "common.bpf.h"
#include "path.bpf.h"



enum lsm_abi _lsm_abi = 0;
enum lsm_slot _lsm_slot = 0;
struct lsm_connect_event _lsm_connect_event = {};

/* Scratch space for a file record: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsm_file_open_event);
} heap SEC(".maps");

/* Whether to record this task's event (counted as filtered when not). */
static __always_inline bool wanted(__u64 pid_tgid)
{
	/* -x: these records are not calls with a result; none is a failure. */
	if (targ_failed || !trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return false;
	}
	return true;
}

/*
 * The record of a file being opened, but its path: NULL when not wanted. Both file_open
 * programs start with it.
 */
static __always_inline struct lsm_file_open_event *file_record(struct file *file)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lsm_file_open_event *e;
	struct inode *inode;
	__u32 zero = 0;

	if (is_self(pid_tgid, LSM_SLOT_FILE_OPEN) || !wanted(pid_tgid))
		return NULL;
	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		return NULL;
	fill_task_header(&e->task, SN_KIND_LSM_FILE_OPEN, pid_tgid);
	if (is_probe_child(e->task.ppid))
		return NULL; /* sysnoop's own probe children */
	inode = BPF_CORE_READ(file, f_inode);
	e->inode = BPF_CORE_READ(inode, i_ino);
	e->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	e->mode = BPF_CORE_READ(inode, i_mode);
	e->flags = BPF_CORE_READ(file, f_flags);
	return e;
}

/* The file named by bpf_d_path (lsm programs may call it since Linux 5.11). */
SEC("lsm/file_open")
int BPF_PROG(file_open, struct file *file, int ret)
{
	struct lsm_file_open_event *e = file_record(file);
	long len;

	if (!e)
		return ret;
	len = bpf_d_path(&file->f_path, e->path, LSM_PATH_MAX);
	e->path_truncated = len < 0;
	e->path_source = SN_PATH_NONE;
	if (len < 0 || len > LSM_PATH_MAX)
		len = 0;
	e->path_len = len;
	submit(ctx, e, LSM_FILE_HEADER_SIZE + len);
	return ret;
}

/*
 * The fallback where lsm programs may not call bpf_d_path (Linux 5.10): the file named
 * by the walk open records use (path.bpf.h), which user space puts together as
 * bpf_d_path writes it.
 */
SEC("lsm/file_open")
int BPF_PROG(file_open_walk, struct file *file, int ret)
{
	struct lsm_file_open_event *e = file_record(file);
	struct path_name name = {};
	__u32 len;

	if (!e)
		return ret;
	name_file(file, SN_PATH_FILE, &name);
	len = copy_name(e->path, &name);
	e->path_source = name.source;
	e->path_truncated = name.flags;
	e->path_len = len;
	submit(ctx, e, LSM_FILE_HEADER_SIZE + (len & (LSM_PATH_MAX - 1)));
	return ret;
}

SEC("lsm/socket_connect")
int BPF_PROG(socket_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lsm_connect_event e = {};
	struct sock *sk;
	__u32 len;

	if (is_self(pid_tgid, LSM_SLOT_SOCKET_CONNECT) || !wanted(pid_tgid))
		return ret;
	e.family = BPF_CORE_READ(address, sa_family);
	if (e.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)address;

		e.dport = bpf_ntohs(BPF_CORE_READ(sin, sin_port));
		BPF_CORE_READ_INTO(&e.daddr, sin, sin_addr);
	} else if (e.family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)address;

		e.dport = bpf_ntohs(BPF_CORE_READ(sin6, sin6_port));
		BPF_CORE_READ_INTO(&e.daddr, sin6, sin6_addr);
	} else if (e.family == AF_UNIX) {
		__u32 alen = addrlen; /* unsigned, for the verifier's bounds */

		len = alen > 2 ? alen - 2 : 0;
		if (len > LSM_UNIX_PATH_MAX)
			len = LSM_UNIX_PATH_MAX;
		if (len && bpf_probe_read_kernel(e.path, len & 0x7f, (void *)address + 2))
			len = 0;
		e.path_len = len;
	}
	sk = BPF_CORE_READ(sock, sk);
	if (sk)
		socket_local_end(sk, e.family, &e.protocol, &e.sock_type, &e.sport, e.saddr);
	fill_task_header(&e.task, SN_KIND_LSM_CONNECT, pid_tgid);
	if (is_probe_child(e.task.ppid))
		return ret;
	submit(ctx, &e, sizeof(e));
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
