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
# Environment: RATES="100000 300000" (frames/s; "max": as fast as trafgen can), ROUNDS=3, DURATION=5,
#              WARMUP=3 (s), SIZE=128 (frame bytes), SENDER_CPU=0, CAPTURE_CPU=1 (PIN=0: no pinning),
#              RING_KIB=8192 (empty: each program's default buffer, panatap 32 MiB, tcpdump 2 MiB),
#              PORTS=1 (distinct TCP destination ports, 1..256: 80, or 0..PORTS-1, which includes 80),
#              FILTER="port 80" (for the *-filter modes), MODES="panatap panatap-parse tcpdump",
#              PANATAP=./panatap (the launcher the panatap-w/panatap-filter modes run; a copy of the launcher
#              next to another build's cli/target/panatap.jar compares builds).
# Modes: panatap, panatap-parse (bench CountingCapture, TCP-only kernel filter); panatap-w (the real command,
# ./panatap -i IF -w /dev/null: TCP-only kernel filter, writes pcap records); panatap-wng (the same writing
# pcapng: --pcapng -w /dev/null); panatap-flows (./panatap -i IF --flows > /dev/null: connection rows);
# panatap-rows (./panatap -i IF > /dev/null: the default table); panatap-filter (the same with
# FILTER); tcpdump (-w /dev/null tcp); tcpdump-filter (-w /dev/null FILTER).
# The command modes pass -Q in, as the tcpdump modes do (-w alone writes both directions).
# The panatap command has no SIGUSR1 report, so for panatap-w/panatap-filter the counters and CPU time
# cover warm-up and measured phase together (warmup_drops shows "incl"): the command's JIT warm-up counts.
# USR1=0 measures every mode that way, for a like-for-like comparison with tcpdump.
# Two more columns split that cost: start_cpu_s, the CPU seconds from process start until the capture is
# ready (JVM start-up), and steady, CPU seconds per million frames offered after the warm-up (read from
# /proc, so it needs no report from the program; equal to cpu_s/Mpkt for modes measured after SIGUSR1).
# PERF="record -g -F 499" (any perf subcommand and options) runs `perf ... -p PID` over the measured phase
# of each run, output in perf-MODE-RATE-ROUND.data in the directory the script was started from;
# PERF_WARMUP=1 starts it when the capture is ready, so that it covers the warm-up too.
# THREADS=1 also prints each run's CPU seconds per thread (from process start; JIT compiler threads apart).
# RSS=1 also prints each run's resident memory at the end of the measured phase, with and without the ring.
set -euo pipefail
out_dir=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RATES=${RATES:-"100000 300000"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
SIZE=${SIZE:-128}
SENDER_CPU=${SENDER_CPU:-0}
CAPTURE_CPU=${CAPTURE_CPU:-1}
RING_KIB=${RING_KIB-8192}
PIN=${PIN:-1}
PORTS=${PORTS:-1}
FILTER=${FILTER:-"port 80"}
USR1=${USR1:-1}
PERF=${PERF:-}
PANATAP=${PANATAP:-./panatap}
THREADS=${THREADS:-0}
RSS=${RSS:-0}
PERF_WARMUP=${PERF_WARMUP:-0}
MODES=${MODES:-"panatap panatap-parse tcpdump"}
JAVA=${JAVA_HOME:?set JAVA_HOME to a JDK 22+}/bin/java
JAR=${JAR:-bench/target/benchmarks.jar}

for tool in trafgen tcpdump ip taskset; do
  command -v "$tool" >/dev/null || { echo "live-bench: $tool not found (apt-get install netsniff-ng tcpdump iproute2 util-linux)" >&2; exit 1; }
done
[ -f "$JAR" ] || { echo "live-bench: $JAR missing: ./mvnw -q -B -pl bench -am package -DskipTests" >&2; exit 1; }
[ "$SIZE" -ge 64 ] || { echo "live-bench: SIZE must be >= 64" >&2; exit 1; }
[ "$PORTS" -ge 1 ] && [ "$PORTS" -le 256 ] || { echo "live-bench: PORTS must be 1..256" >&2; exit 1; }
case " $MODES " in *" panatap-w "*|*" panatap-wng "*|*" panatap-flows "*|*" panatap-rows "*|*" panatap-filter "*)
  [ -f cli/target/panatap.jar ] || { echo "live-bench: cli/target/panatap.jar missing: ./mvnw -q -B -pl cli -am package -DskipTests" >&2; exit 1; } ;;
esac
# Prefixes that pin to a CPU (PIN=1) or do nothing; arrays, so the capture's PID stays the program's own.
cpin=() spin=()
[ "$PIN" = 1 ] && cpin=(taskset -c "$CAPTURE_CPU") spin=(taskset -c "$SENDER_CPU")
ring() { [ -n "$RING_KIB" ] && echo "-B $RING_KIB" || true; }

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
# source ports and sequence numbers; destination port 80, or with PORTS > 1 cycling through 0..PORTS-1
# (port 80 is then one flow in PORTS).
if [ "$PORTS" -gt 1 ]; then dport="0x00, dinc(0, $((PORTS - 1)), 1)"; else dport="c16(80)"; fi
cat >"$work/tcp.trafgen" <<CFG
{
  $dst, $src, c16(0x0800),
  0x45, 0x00, c16($((SIZE - 14))), drnd(2), c16(0x4000), 64, 6, csumip(14, 33),
  10, 214, 0, 2, 10, 214, 0, 3,
  drnd(2), $dport, drnd(4), c32(1), 0x50, 0x10, c16(512), csumtcp(14, 34), c16(0),
  fill(0x61, $payload)
}
CFG

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

start_capture() { # mode -> pid; output in $work/out
  case "$1" in
    # $(ring) is unquoted on purpose: "-B KiB" or nothing.
    panatap) "${cpin[@]}" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" \
               io.panatap.bench.live.CountingCapture -i "$host" $(ring) >"$work/out" 2>&1 & ;;
    panatap-parse) "${cpin[@]}" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" \
               io.panatap.bench.live.CountingCapture -i "$host" $(ring) --parse >"$work/out" 2>&1 & ;;
    panatap-w) JAVA_HOME=${JAVA%/bin/java} "${cpin[@]}" "$PANATAP" -v -i "$host" -Q in $(ring) -w /dev/null \
               >"$work/out" 2>&1 & ;;
    panatap-filter) JAVA_HOME=${JAVA%/bin/java} "${cpin[@]}" "$PANATAP" -v -i "$host" -Q in $(ring) -w /dev/null \
               "$FILTER" >"$work/out" 2>&1 & ;;
    panatap-wng) JAVA_HOME=${JAVA%/bin/java} "${cpin[@]}" "$PANATAP" -v -i "$host" -Q in $(ring) --pcapng -w /dev/null \
               >"$work/out" 2>&1 & ;;
    panatap-flows) JAVA_HOME=${JAVA%/bin/java} "${cpin[@]}" "$PANATAP" -v -i "$host" -Q in $(ring) --flows \
               >/dev/null 2>"$work/out" & ;;
    panatap-rows) JAVA_HOME=${JAVA%/bin/java} "${cpin[@]}" "$PANATAP" -v -i "$host" -Q in $(ring) \
               >/dev/null 2>"$work/out" & ;;
    tcpdump) "${cpin[@]}" tcpdump -i "$host" -Q in $(ring) -s 262144 -w /dev/null tcp \
               >"$work/out" 2>&1 & ;;
    tcpdump-filter) "${cpin[@]}" tcpdump -i "$host" -Q in $(ring) -s 262144 -w /dev/null "$FILTER" \
               >"$work/out" 2>&1 & ;;
    *) echo "live-bench: unknown mode $1" >&2; exit 1 ;;
  esac
  pid=$!
  for _ in $(seq 100); do
    grep -q "listening on\|capture ready on" "$work/out" && return 0
    sleep 0.1
  done
  echo "live-bench: $1 did not start:" >&2; cat "$work/out" >&2; exit 1
}

stat_line() { grep "$1" "$work/out" | tail -1 | awk '{print $1}'; }
has_usr1() { [ "$USR1" = 1 ] || return 1; case "$1" in panatap-w|panatap-wng|panatap-flows|panatap-rows|panatap-filter) return 1 ;; esac; }
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

send() { # rate count (rate "max": for count/1000000 seconds, as fast as trafgen can)
  if [ "$1" = max ]; then
    "${spin[@]}" ip netns exec "$ns" timeout -s INT $(($2 / 1000000)) trafgen -o "$peer" -i "$work/tcp.trafgen" \
      -P 1 --no-sock-mem --notouch-irq -C >/dev/null 2>&1 || true
  else
    "${spin[@]}" ip netns exec "$ns" trafgen -o "$peer" -i "$work/tcp.trafgen" \
      -b "$1pps" -n "$2" -P 1 --no-sock-mem --notouch-irq -C >/dev/null 2>&1
  fi
}

printf '%-8s %-5s %-14s %12s %10s %10s %10s %14s %12s %8s\n' rate round program warmup_drops offered captured dropped \
  "cpu_s/Mpkt" start_cpu_s steady
for rate in $RATES; do
  per=$rate
  [ "$rate" = max ] && per=1000000 # send() turns counts back into seconds
  count=$((per * DURATION))
  for round in $(seq "$ROUNDS"); do
    for mode in $MODES; do
      start_capture "$mode"
      ts=$(ticks "$pid")
      perf_pid=
      if [ -n "$PERF" ] && [ "$PERF_WARMUP" = 1 ]; then
        # shellcheck disable=SC2086 # PERF is a list of words
        perf $PERF -p "$pid" -o "$out_dir/perf-$mode-$rate-$round.data" >/dev/null 2>&1 &
        perf_pid=$!
      fi
      if has_usr1 "$mode"; then
        # Warm-up at the same rate (JIT compilation for panatap), reported apart and left out of the rest.
        send "$rate" $((per * WARMUP))
        sleep 1.2 # longer than tcpdump's 1 s block timeout, so its counters have caught up
        read -r c0 r0 d0 < <(usr1_stats)
        rx0=$(cat "/sys/class/net/$host/statistics/rx_packets")
        t0=$(ticks "$pid")
      else
        # No way to read the counters in between: measure warm-up and measured phase together.
        c0=0 d0=incl
        rx0=$(cat "/sys/class/net/$host/statistics/rx_packets")
        t0=$(ticks "$pid")
        send "$rate" $((per * WARMUP))
      fi
      rxw=$(cat "/sys/class/net/$host/statistics/rx_packets")
      tw=$(ticks "$pid")
      if [ -n "$PERF" ] && [ "$PERF_WARMUP" != 1 ]; then
        # shellcheck disable=SC2086 # PERF is a list of words
        perf $PERF -p "$pid" -o "$out_dir/perf-$mode-$rate-$round.data" >/dev/null 2>&1 &
        perf_pid=$!
      fi
      send "$rate" "$count"
      sleep 1.2
      t1=$(ticks "$pid")
      if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
      if [ "$THREADS" = 1 ]; then
        # comm is in parentheses and may contain spaces: split the line at the last ')'.
        for t in /proc/"$pid"/task/*/stat; do
          line=$(cat "$t" 2>/dev/null) || continue
          comm=${line#*(}; comm=${comm%)*}; rest=${line##*) }
          echo "$rest" | awk -v c="$comm" -v hz="$hz" '{ printf "%.2f %s\n", ($12 + $13) / hz, c }'
        done | awk '{ s[$2 " " $3] += $1 } END { for (k in s) if (s[k] > 0) printf "  thread cpu_s %6.2f  %s\n", s[k], k }' | sort -k3 -rn
      fi
      if [ "$RSS" = 1 ]; then
        # Resident memory at the end of the measured phase, and apart from the ring (the packet socket's mapping).
        ring_kib=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($6 ~ /socket:/) } /^Rss:/ && m { r += $2 } END { print r + 0 }' "/proc/$pid/smaps")
        rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
        echo "  rss MiB $((rss_kib / 1024)), ring $((ring_kib / 1024)), apart from the ring $(((rss_kib - ring_kib) / 1024))"
      fi
      rx1=$(cat "/sys/class/net/$host/statistics/rx_packets")
      # The command stops on SIGINT (as from a terminal), the others on SIGTERM.
      case "$mode" in panatap-w|panatap-wng|panatap-flows|panatap-rows|panatap-filter) kill -INT "$pid" ;; *) kill -TERM "$pid" ;; esac
      wait "$pid" || true
      offered=$((rx1 - rx0))
      captured=$(( $(stat_line "packets captured$") - c0 ))
      dropped=$(( $(stat_line "dropped by kernel$") - ${d0/incl/0} ))
      cpu=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$offered" 'BEGIN { printf "%.3f", n ? t / hz / n * 1e6 : 0 }')
      steady=$(awk -v t=$((t1 - tw)) -v hz="$hz" -v n=$((rx1 - rxw)) 'BEGIN { printf "%.3f", n ? t / hz / n * 1e6 : 0 }')
      start_cpu=$(awk -v t="$ts" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
      printf '%-8s %-5s %-14s %12s %10s %10s %10s %14s %12s %8s\n' "$rate" "$round" "$mode" "$d0" "$offered" "$captured" \
        "$dropped" "$cpu" "$start_cpu" "$steady"
    done
  done
done
