#!/usr/bin/env bash
# Live capture cost: panatap (bench CountingCapture) against tcpdump -w /dev/null, in the same run.
#
# trafgen (netsniff-ng) in a private network namespace offers TCP frames at fixed rates across a veth pair;
# the capture runs on the other end, in this namespace, pinned to another CPU. Programs are interleaved
# over several rounds. Reported per run: frames offered (veth rx counter), captured, dropped by the
# kernel, and CPU seconds (user+system, all threads, from /proc/PID/stat) per million offered frames.
#
# Usage (root; needs trafgen, tcpdump, iproute2, a built bench/target/benchmarks.jar):
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/live-bench.sh
# Each run first offers WARMUP seconds of traffic (JIT warm-up; its kernel drops are shown apart), takes the
# counters (SIGUSR1, as tcpdump), then measures DURATION seconds.
# Environment: RATES="100000 300000" (frames/s), ROUNDS=3, DURATION=5, WARMUP=3 (s), SIZE=128 (frame bytes),
#              SENDER_CPU=0, CAPTURE_CPU=1, RING_KIB=8192, MODES="panatap panatap-parse tcpdump".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RATES=${RATES:-"100000 300000"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
SIZE=${SIZE:-128}
SENDER_CPU=${SENDER_CPU:-0}
CAPTURE_CPU=${CAPTURE_CPU:-1}
RING_KIB=${RING_KIB:-8192}
MODES=${MODES:-"panatap panatap-parse tcpdump"}
JAVA=${JAVA_HOME:?set JAVA_HOME to a JDK 22+}/bin/java
JAR=${JAR:-bench/target/benchmarks.jar}

for tool in trafgen tcpdump ip taskset; do
  command -v "$tool" >/dev/null || { echo "live-bench: $tool not found (apt-get install netsniff-ng tcpdump iproute2 util-linux)" >&2; exit 1; }
done
[ -f "$JAR" ] || { echo "live-bench: $JAR missing: ./mvnw -q -B -pl bench -am package -DskipTests" >&2; exit 1; }
[ "$SIZE" -ge 64 ] || { echo "live-bench: SIZE must be >= 64" >&2; exit 1; }

id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)))
ns=ptbench-$id
host=ptb${id}a
peer=ptb${id}b
work=$(mktemp -d)
cleanup() {
  ip link del "$host" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip link add "$host" type veth peer name "$peer" netns "$ns"
ip link set "$host" up
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip link set "$peer" up

mac_bytes() { tr ':' '\n' <"/sys/class/net/$1/address" | sed 's/^/0x/' | paste -sd, -; }
dst=$(mac_bytes "$host")
src=$(ip netns exec "$ns" cat "/sys/class/net/$peer/address" | tr ':' '\n' | sed 's/^/0x/' | paste -sd, -)
payload=$((SIZE - 54))
# IPv4/TCP ACK segments from 10.214.0.2 to 10.214.0.3 (not an address of this host: no replies), random
# source ports and sequence numbers.
cat >"$work/tcp.trafgen" <<CFG
{
  $dst, $src, c16(0x0800),
  0x45, 0x00, c16($((SIZE - 14))), drnd(2), c16(0x4000), 64, 6, csumip(14, 33),
  10, 214, 0, 2, 10, 214, 0, 3,
  drnd(2), c16(80), drnd(4), c32(1), 0x50, 0x10, c16(512), csumtcp(14, 34), c16(0),
  fill(0x61, $payload)
}
CFG

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

start_capture() { # mode -> pid; output in $work/out
  case "$1" in
    panatap) taskset -c "$CAPTURE_CPU" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" \
               io.panatap.bench.live.CountingCapture -i "$host" -B "$RING_KIB" >"$work/out" 2>&1 & ;;
    panatap-parse) taskset -c "$CAPTURE_CPU" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" \
               io.panatap.bench.live.CountingCapture -i "$host" -B "$RING_KIB" --parse >"$work/out" 2>&1 & ;;
    tcpdump) taskset -c "$CAPTURE_CPU" tcpdump -i "$host" -Q in -B "$RING_KIB" -s 262144 -w /dev/null tcp \
               >"$work/out" 2>&1 & ;;
  esac
  pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/out" && return 0
    sleep 0.1
  done
  echo "live-bench: $1 did not start:" >&2; cat "$work/out" >&2; exit 1
}

stat_line() { grep "$1" "$work/out" | tail -1 | awk '{print $1}'; }
# "tcpdump: 1 packets captured, 2 packets received by filter, 3 packets dropped by kernel" -> "1 2 3"
usr1_stats() {
  kill -USR1 "$pid"
  for _ in $(seq 50); do
    line=$(grep -E '^(tcpdump|panatap): [0-9]+ packets captured' "$work/out" | tail -1 || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  echo "$line" | sed -E 's/^[a-z]+: ([0-9]+) packets captured, ([0-9]+) packets received by filter, ([0-9]+) packets dropped by kernel.*/\1 \2 \3/'
}

send() { # rate count
  taskset -c "$SENDER_CPU" ip netns exec "$ns" trafgen -o "$peer" -i "$work/tcp.trafgen" \
    -b "$1pps" -n "$2" -P 1 --no-sock-mem --notouch-irq -C >/dev/null 2>&1
}

printf '%-8s %-5s %-14s %12s %10s %10s %10s %14s\n' rate round program warmup_drops offered captured dropped "cpu_s/Mpkt"
for rate in $RATES; do
  count=$((rate * DURATION))
  for round in $(seq "$ROUNDS"); do
    for mode in $MODES; do
      start_capture "$mode"
      # Warm-up at the same rate (JIT compilation for panatap), reported apart and left out of the rest.
      send "$rate" $((rate * WARMUP))
      sleep 1.2 # longer than tcpdump's 1 s block timeout, so its counters have caught up
      read -r c0 r0 d0 < <(usr1_stats)
      rx0=$(cat "/sys/class/net/$host/statistics/rx_packets")
      t0=$(ticks "$pid")
      send "$rate" "$count"
      sleep 1.2
      t1=$(ticks "$pid")
      rx1=$(cat "/sys/class/net/$host/statistics/rx_packets")
      kill -TERM "$pid"
      wait "$pid" || true
      offered=$((rx1 - rx0))
      captured=$(( $(stat_line "packets captured$") - c0 ))
      dropped=$(( $(stat_line "dropped by kernel$") - d0 ))
      cpu=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$offered" 'BEGIN { printf "%.3f", n ? t / hz / n * 1e6 : 0 }')
      printf '%-8s %-5s %-14s %12s %10s %10s %10s %14s\n' "$rate" "$round" "$mode" "$d0" "$offered" "$captured" "$dropped" "$cpu"
    done
  done
done
