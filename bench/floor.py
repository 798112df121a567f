#!/usr/bin/env python3
"""The floor of a tracepoint-based tracer, with no tracer around it (not a test).

Loads empty BPF programs (two instructions: r0 = 0; exit) with the bpf() syscall and
attaches each to a syscall tracepoint the way libbpf does (a perf event, pid -1, on one
CPU, PERF_EVENT_IOC_SET_BPF), or with --raw to a raw tracepoint. No runtime, no buffers,
no threads: what is left is the kernel's cost of running a program on the hook. Prints
"floor: attached" and each program's id, then waits for SIGINT or SIGTERM.

    bench/floor.py [--raw] [--cpu N] [--ret 1] TRACEPOINT...
    bench/floor.py sys_enter_openat sys_exit_openat    (syscalls/<name>)
    bench/floor.py --raw sys_enter sys_exit            (raw tracepoints)

--cpu N opens the perf events on CPU N (default 0, as libbpf does); the program runs on
every CPU either way: it hangs off the tracepoint, not the event. --ret 1 makes the
programs return 1, as bpftrace's empty probes do: the kernel then also writes each hit
as a sample to the tracepoint's perf event, which costs the CPU that event is on (see
bench/floor).
"""
import ctypes
import os
import signal
import struct
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
SYS_PERF_EVENT_OPEN = {"x86_64": 298, "aarch64": 241}[os.uname().machine]
BPF_PROG_LOAD, BPF_OBJ_GET_INFO_BY_FD, BPF_RAW_TRACEPOINT_OPEN = 5, 15, 17
BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT = 5, 17
PERF_TYPE_TRACEPOINT, PERF_SAMPLE_RAW = 2, 1 << 10
PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_SET_BPF = 0x2400, 0x40042408

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def syscall(nr, *args):
    ret = libc.syscall(nr, *args)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    return syscall(SYS_BPF, cmd, buf, 128), buf


def load(prog_type, name, ret):
    # r0 = ret (BPF_ALU64 | BPF_MOV | BPF_K); exit (BPF_JMP | BPF_EXIT)
    insns = ctypes.create_string_buffer(struct.pack("<BBhi", 0xB7, 0, 0, ret) + struct.pack("<BBhi", 0x95, 0, 0, 0))
    license = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(4096)
    attr = struct.pack("<IIQQIIQII16s", prog_type, 2, ctypes.addressof(insns), ctypes.addressof(license), 1, len(log),
                       ctypes.addressof(log), 0, 0, name.encode()[:15])
    try:
        fd, _ = bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        sys.exit(f"floor: loading {name}: {e}\n{log.value.decode(errors='replace')}")
    return fd


def prog_id(fd):
    info = ctypes.create_string_buffer(256)
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("<IIQ", fd, len(info), ctypes.addressof(info)))
    return struct.unpack_from("<II", info.raw, 0)[1]  # type, id


def tracefs():
    for path in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(path, "events")):
            return path
    sys.exit("floor: tracefs is not mounted (sysnoop doctor mounts it)")


def attach_tracepoint(fd, name, cpu):
    with open(os.path.join(tracefs(), "events", "syscalls", name, "id")) as f:
        config = int(f.read())
    # struct perf_event_attr (PERF_ATTR_SIZE_VER5: 112 bytes): type, size, config,
    # sample_period, sample_type, read_format, flags, wakeup_events, ...
    attr = ctypes.create_string_buffer(struct.pack("<IIQQQQQI", PERF_TYPE_TRACEPOINT, 112, config, 1, PERF_SAMPLE_RAW, 0, 0, 1), 112)
    pfd = syscall(SYS_PERF_EVENT_OPEN, attr, -1, cpu, -1, 8)  # PERF_FLAG_FD_CLOEXEC
    if libc.ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd) < 0 or libc.ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0:
        err = ctypes.get_errno()
        sys.exit(f"floor: attaching to {name}: {os.strerror(err)}")
    return pfd


def attach_raw(fd, name):
    tp = ctypes.create_string_buffer(name.encode())
    link, _ = bpf(BPF_RAW_TRACEPOINT_OPEN, struct.pack("<QI", ctypes.addressof(tp), fd))
    return link


def main():
    args = sys.argv[1:]
    raw = "--raw" in args
    cpu = int(args[args.index("--cpu") + 1]) if "--cpu" in args else 0
    ret = int(args[args.index("--ret") + 1]) if "--ret" in args else 0
    names = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] not in ("--cpu", "--ret"))]
    if not names:
        sys.exit(__doc__)
    held = []
    for name in names:
        fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT if raw else BPF_PROG_TYPE_TRACEPOINT, f"floor_{name}", ret)
        held.append(attach_raw(fd, name) if raw else attach_tracepoint(fd, name, cpu))
        print(f"floor: {name}: program id {prog_id(fd)}", flush=True)
        held.append(fd)
    print("floor: attached", flush=True)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
