#!/usr/bin/env bash
# make bench-e2e: the fixed end-to-end benchmark of docs/BENCH.md.
#
# Builds rocketgo and mqbench, starts a standalone rocketgo with its data in
# a fresh temp dir on free loopback ports, runs one mqbench e2e cell per
# body size x producer count, and writes the results table (markdown) to
# stdout and to bench-results.md. The server is stopped and the temp dir
# removed on every exit path, failures and Ctrl-C included.
#
# Knobs (environment):
#   BENCH_DURATION   per cell, default 30s (e.g. BENCH_DURATION=5s)
#   BENCH_SIZES      body sizes in bytes, default "128 1024"
#   BENCH_PRODUCERS  producer counts, default "1 16 64"
#   BENCH_INFLIGHT   requests in flight per producer, default 1
#   BENCH_OUT        results file, default bench-results.md
#   GO               go command, default go
set -euo pipefail

GO=${GO:-go}
DURATION=${BENCH_DURATION:-30s}
SIZES=${BENCH_SIZES:-128 1024}
PRODUCERS=${BENCH_PRODUCERS:-1 16 64}
INFLIGHT=${BENCH_INFLIGHT:-1}
OUT=${BENCH_OUT:-bench-results.md}
WARMUP=${BENCH_WARMUP:-3s}

cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/rocketgo-bench.XXXXXX")
server_pid=""

stop_server() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$server_pid" 2>/dev/null; then
			echo "bench-e2e: rocketgo did not stop on SIGTERM; killing it" >&2
			kill -KILL "$server_pid" 2>/dev/null || true
		fi
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
}

cleanup() {
	local status=$?
	if [[ $status -ne 0 && -f $work/rocketgo.log ]]; then
		echo "bench-e2e: failed (status $status); last lines of the rocketgo log:" >&2
		tail -n 20 "$work/rocketgo.log" >&2 || true
	fi
	stop_server
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench-e2e: building rocketgo and mqbench" >&2
"$GO" build -o "$work/bin/" ./cmd/rocketgo ./cmd/mqbench

# Port 0: the kernel picks free ports; rocketgo prints the ones it got.
"$work/bin/rocketgo" -data "$work/data" -host 127.0.0.1 -namesrv-port 0 -broker-port 0 \
	>"$work/rocketgo.out" 2>"$work/rocketgo.log" &
server_pid=$!
ns=""
for _ in $(seq 1 150); do
	ns=$(sed -n 's/^rocketgo is up\. Point clients at the NameServer \([0-9.]*:[0-9]*\) .*/\1/p' "$work/rocketgo.out")
	[[ -n $ns ]] && break
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "bench-e2e: rocketgo exited during start-up" >&2
		exit 1
	fi
	sleep 0.1
done
if [[ -z $ns ]]; then
	echo "bench-e2e: rocketgo not up after 15 s" >&2
	exit 1
fi
echo "bench-e2e: rocketgo pid $server_pid, NameServer $ns, data in $work/data" >&2

mqbench() { "$work/bin/mqbench" "$@"; }

# Warm-up, not reported: the first commitlog file is created and mapped.
echo "bench-e2e: warm-up ($WARMUP)" >&2
mqbench e2e --raw -n "$ns" -t BenchWarmup -w 16 -q "$WARMUP" --quiet >/dev/null

cells=()
i=0
for size in $SIZES; do
	for p in $PRODUCERS; do
		i=$((i + 1))
		f=$(printf '%s/cell-%02d.json' "$work" "$i")
		echo "bench-e2e: cell $i: ${size} B bodies, $p producer(s) x $INFLIGHT in flight, $DURATION" >&2
		mqbench e2e --raw -n "$ns" -t "Bench_${size}B_${p}p" -s "$size" -w "$p" --inflight "$INFLIGHT" \
			-q "$DURATION" --rss-pid "$server_pid" --json >"$f"
		cells+=("$f")
	done
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
	echo "## rocketgo bench-e2e"
	echo
	echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit, $("$GO" version | cut -d' ' -f3-)"
	echo "- machine: $(nproc) CPU(s) ${cpu:+($cpu)}, ${mem:-? GiB} RAM, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
	echo "- scenario (docs/BENCH.md): standalone rocketgo, default config (ASYNC_FLUSH), fresh store; per cell \`mqbench e2e --raw -w P -s S --inflight $INFLIGHT -q $DURATION\` on its own topic (8 queues), one raw pull consumer; broker RSS sampled every 200 ms"
	echo
	mqbench table "${cells[@]}"
} >"$work/results.md"

stop_server
cat "$work/results.md"
cp "$work/results.md" "$OUT"
echo "bench-e2e: table written to $OUT" >&2
