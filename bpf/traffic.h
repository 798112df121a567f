/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the traffic counters: bpf/traffic.bpf.c counts, src/kinds/traffic.rs reads the map. */
#ifndef SYSNOOP_TRAFFIC_H
#define SYSNOOP_TRAFFIC_H

enum traffic_abi {
	/* Distinct (cgroup, direction, protocol) triples counted at once. */
	TRAFFIC_KEYS_MAX = 16384,
};

struct traffic_key {
	__u64 cgroup_id;   /* cgroup v2 id (the cgroup directory's inode number) */
	__u8 ingress;      /* 1: received, 0: sent */
	__u8 protocol;     /* IP protocol (6 tcp, 17 udp, ...); 0 when not IP */
	__u8 __pad[6];
};

/* Per CPU: user space sums them. */
struct traffic_value {
	__u64 packets;
	__u64 bytes;
};

#endif /* SYSNOOP_TRAFFIC_H */
