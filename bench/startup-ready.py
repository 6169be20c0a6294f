#!/usr/bin/env python3
"""Launch to "capture ready" (the -v report, wall time from process start) and the process's CPU time at
that moment (all threads), over interleaved rounds of the given commands; median of each.

usage (root, from the checkout, after the build):
  python3 bench/startup-ready.py ROUNDS 'NAME=COMMAND' ...
e.g. python3 bench/startup-ready.py 10 'launcher=./panatap' \\
       'plain=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:+UseSerialGC -jar cli/target/panatap.jar'
Each command gets -v -i lo -c 1 'port 1' appended and is stopped with SIGINT once ready."""
import os, shlex, signal, statistics, subprocess, sys

tick = os.sysconf("SC_CLK_TCK")
rounds = int(sys.argv[1])
commands = dict(arg.split("=", 1) for arg in sys.argv[2:]) or {"launcher": "./panatap"}
results = {name: [] for name in commands}
for r in range(rounds):
    for name, command in commands.items():
        p = subprocess.Popen(shlex.split(command) + ["-v", "-i", "lo", "-c", "1", "port 1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        line = p.stderr.readline()
        fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) * 1000 // tick
        wall = int(line.split("after ")[1].split(" ")[0]) if "after " in line else -1
        p.send_signal(signal.SIGINT)
        p.wait()
        results[name].append((wall, cpu))
        print(f"round {r} {name}: ready after {wall} ms, CPU {cpu} ms", flush=True)
for name, values in results.items():
    print(f"{name}: median {statistics.median(w for w, _ in values)} ms to ready, "
          f"median CPU {statistics.median(c for _, c in values)} ms")
