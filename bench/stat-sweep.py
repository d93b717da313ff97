#!/usr/bin/env python3
"""The kernel's part of a check, alone: stats the paths a check of RUNNERS runners looks at (13 per runner, in a tree
of empty files made under a temp folder) every INTERVAL seconds, SWEEPS times, and prints the CPU time of each sweep
(this thread's, from the kernel). Compares a sweep after a short sleep with one after a long one, as the daemon's
checks at 1 s and at 60 s.

    bench/stat-sweep.py [RUNNERS] [INTERVAL] [SWEEPS]
"""
import os
import sys
import tempfile
import time

runners = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
interval = float(sys.argv[2]) if len(sys.argv) > 2 else 60
sweeps = int(sys.argv[3]) if len(sys.argv) > 3 else 6
names = [".runner", ".credentials", ".credentials_rsaparams", "_diag", "state/lock", "state/journal",
         "state/record.json", "metrics.json", ".path", ".env", "svc.sh", "config.sh", "bin"]

with tempfile.TemporaryDirectory() as root:
    paths = []
    for i in range(runners):
        folder = os.path.join(root, f"runner-{i}")
        for sub in ("state", "_diag", "bin"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        for name in names:
            path = os.path.join(folder, name)
            if name != "state/journal" and not os.path.exists(path):
                open(path, "w").close()
            paths.append(path)
    # The loop's own cost without the calls, so the figure is the kernel's.
    start = time.thread_time()
    for path in paths:
        pass
    loop = time.thread_time() - start
    for sweep in range(sweeps):
        start = time.thread_time()
        for path in paths:
            try:
                os.stat(path)
            except FileNotFoundError:
                pass
        spent = time.thread_time() - start - loop
        print(f"sweep {sweep + 1}: {spent * 1000:.1f} ms of CPU for {len(paths)} stats, after a sleep of {interval if sweep else 0:g} s", flush=True)
        if sweep + 1 < sweeps:
            time.sleep(interval)
