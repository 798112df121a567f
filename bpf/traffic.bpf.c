// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-cgroup traffic: cgroup_skb ingress and egress programs that only observe. They
 * count packets and bytes per (cgroup, direction, IP protocol) in a per-CPU hash and
 * always return 1, so every packet goes through whatever sysnoop does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "traffic.h"
#include "common.bpf.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/*
 * Not preallocated: a key's per-CPU values are allocated when it is first seen (a
 * failed allocation is a full map: counted below). Preallocating every key's values
 * on every CPU took some 10 ms of the kernel's time at each start (issue 33).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRAFFIC_KEYS_MAX);
	__type(key, struct traffic_key);
	__type(value, struct traffic_value);
} traffic SEC(".maps");

enum traffic_abi _traffic_abi = 0;

static __always_inline void account(struct __sk_buff *skb, __u8 ingress)
{
	struct traffic_key key = {};
	struct traffic_value *value, first;

	key.cgroup_id = bpf_skb_cgroup_id(skb);
	key.ingress = ingress;
	/* cgroup_skb data starts at the network header. */
	if (skb->protocol == bpf_htons(ETH_P_IP))
		bpf_skb_load_bytes(skb, 9, &key.protocol, 1);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		bpf_skb_load_bytes(skb, 6, &key.protocol, 1);

	value = bpf_map_lookup_elem(&traffic, &key);
	if (value) {
		value->packets += 1; /* per-CPU: no atomics needed */
		value->bytes += skb->len;
		return;
	}
	first.packets = 1;
	first.bytes = skb->len;
	/* A full map: these bytes go uncounted, and that is counted. */
	if ((int)bpf_map_update_elem(&traffic, &key, &first, BPF_NOEXIST) && !bpf_map_lookup_elem(&traffic, &key))
		count(SN_CTR_LOST);
}

SEC("cgroup_skb/ingress")
int cgroup_skb__ingress(struct __sk_buff *skb)
{
	account(skb, 1);
	return 1; /* let it through */
}

SEC("cgroup_skb/egress")
int cgroup_skb__egress(struct __sk_buff *skb)
{
	account(skb, 0);
	return 1; /* let it through */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
