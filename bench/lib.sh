# Shell helpers the benchmarks share; sourced, not run.

# ns per call of one run: the workloads print "<calls> <elapsed_ns>".
per_call() { awk '{ printf "%.1f", $2 / $1 }'; }

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Waits until file $1 contains $2 (a tracer's "tracing" line). The file must be new or
# truncated before the process that writes it starts (start_sysnoop does that): bash
# forks a background job and moves on before the job's own redirections run, so polling
# a file left by an earlier run can find that run's line and go on too early. That race,
# not the kernel, was the "start-up window" once reported here.
wait_for() {
  for _ in $(seq 1 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# start_sysnoop STDOUT STDERR ARGS...: runs `sysnoop ARGS` in the background with fresh
# STDOUT and STDERR files, and returns once it is tracing; sets $sysnoop_pid. The binary
# is $SYSNOOP when set (bench/builds compares two), else this tree's release build.
start_sysnoop() {
  local stdout=$1 stderr=$2
  shift 2
  : >"$stdout"
  : >"$stderr"
  "${SYSNOOP:-target/release/sysnoop}" "$@" >"$stdout" 2>"$stderr" &
  sysnoop_pid=$!
  wait_for "$stderr" "sysnoop: tracing"
}

# The number of BPF programs loaded now.
bpf_progs() { bpftool prog list 2>/dev/null | grep -c '^[0-9]*:' || true; }

# Waits until at least $1 more BPF programs than $2 (a bpf_progs count) are loaded: a
# tracer that says nothing when it is ready (its stdio buffered) is ready then.
wait_more_progs() {
  for _ in $(seq 1 300); do
    [ "$(bpf_progs)" -ge $(($2 + $1)) ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1 more BPF programs" >&2; return 1
}
