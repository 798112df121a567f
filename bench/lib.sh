# Shell helpers the benchmarks share; sourced, not run.

# ns per call of one run: the workloads print "<calls> <elapsed_ns>".
per_call() { awk '{ printf "%.1f", $2 / $1 }'; }

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Waits until file $1 contains $2 (a tracer's "attached" line), then one more second.
# The extra second matters: a loop started right after this grep/sleep polling ended was
# seen (on 6.18) to lose its first calls in the kernel, before any BPF program ran; the
# same loop started by a driver blocked on sysnoop's stderr lost nothing. We measure the
# steady state, not that start-up artifact.
wait_for() {
  for _ in $(seq 1 300); do
    if grep -q "$2" "$1" 2>/dev/null; then sleep 1; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
