#!/usr/bin/env python3
"""Resident memory of a live capture apart from the kernel ring's pages, for JVM option sets compared in
interleaved rounds while loopback TCP traffic (connection attempts to a closed port) is captured.

usage (root, from the checkout, after the build): python3 bench/resident-memory.py ROUNDS SECONDS
Prints VmRSS, RssAnon and RssFile (MiB), the ring's resident MiB (the packet socket's mapping in smaps) and
VmRSS minus the ring. 'before' is the launcher's JVM options before the native heap trim, 'launcher' those
now. For the floor of any JVM with these options, run a class that only sleeps with them and read VmRSS."""
import os, re, signal, socket, subprocess, sys, threading, time

JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
# ARCHIVE=path/to/panatap-*.jsa (the launcher's class archive) maps it in every variant, as the launcher does.
ARCHIVE = [f"-XX:SharedArchiveFile={os.environ['ARCHIVE']}", "-Xlog:cds=off"] if os.environ.get("ARCHIVE") else []
VARIANTS = {
    "before": ["-XX:+UseSerialGC", "-Xms8m", "-Xmn4m", "-XX:-UsePerfData"] + ARCHIVE,
    "launcher": ["-XX:+UseSerialGC", "-Xms8m", "-Xmn4m", "-XX:-UsePerfData",
                 "-XX:TrimNativeHeapInterval=5000"] + ARCHIVE,
}
PORT = 5555


def traffic(stop):
    while not stop.is_set():
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", PORT))
        except OSError:
            pass
        s.close()


rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 10
for r in range(rounds):
    for name, options in VARIANTS.items():
        p = subprocess.Popen([JAVA] + options + ["-jar", "cli/target/panatap.jar", "-v", "-i", "lo",
                                                 f"tcp port {PORT}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        p.stderr.readline()  # capture ready: the ring is mapped
        stop = threading.Event()
        sender = threading.Thread(target=traffic, args=(stop,))
        sender.start()
        time.sleep(secs)
        status = open(f"/proc/{p.pid}/status").read()
        kib = {k: int(re.search(k + r":\s+(\d+)", status).group(1)) for k in ("VmRSS", "RssAnon", "RssFile")}
        ring = 0
        mapping = None
        for line in open(f"/proc/{p.pid}/smaps"):
            m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
            if m:
                mapping = m.group(1)
            elif line.startswith("Rss:") and mapping is not None and "socket" in mapping:
                ring += int(line.split()[1])
        stop.set()
        sender.join()
        p.send_signal(signal.SIGINT)
        p.wait()
        print(f"round {r} {name:9s} VmRSS {kib['VmRSS'] // 1024} RssAnon {kib['RssAnon'] // 1024} "
              f"RssFile {kib['RssFile'] // 1024} ring {ring // 1024} -> apart from the ring "
              f"{(kib['VmRSS'] - ring) // 1024} MiB", flush=True)
