#!/usr/bin/env python3
"""Idle cost of a live capture: CPU (utime+stime of all threads) and context switches per second, measured
over SECONDS of an idle capture, 8 s after it reported "capture ready" (the JIT has settled by then).

usage (root, from the checkout, after the build): python3 bench/idle-cost.py SECONDS [panatap arguments]
default arguments: -i lo -w /dev/null 'port 1' (a filter that loopback traffic does not match)."""
import glob, os, signal, subprocess, sys, time

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 30
args = sys.argv[2:] or ["-i", "lo", "-w", "/dev/null", "port 1"]
tick = os.sysconf("SC_CLK_TCK")


def sample(pid):
    cpu = switches = 0
    for task in glob.glob(f"/proc/{pid}/task/*"):
        fields = open(task + "/stat").read().rsplit(")", 1)[1].split()
        cpu += int(fields[11]) + int(fields[12])
        for line in open(task + "/status"):
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
    return cpu, switches


p = subprocess.Popen(["./panatap", "-v"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
p.stderr.readline()
time.sleep(8)
c0, s0 = sample(p.pid)
t0 = time.time()
time.sleep(secs)
c1, s1 = sample(p.pid)
t1 = time.time()
p.send_signal(signal.SIGINT)
p.wait()
print(f"{' '.join(args)}: {100.0 * (c1 - c0) / tick / (t1 - t0):.2f} % of a CPU, "
      f"{(s1 - s0) / (t1 - t0):.1f} context switches/s over {t1 - t0:.0f} s")
