"""A command's wall time, CPU time and peak memory, as the benchmarks measure them.

Linux keeps a process's peak resident memory across fork and exec: a child of the benchmark
would start from the benchmark's own peak (a generated blog's URL lists, a page of 100,000
comments), and its ru_maxrss could never read lower. So the command is started by a small
interpreter of its own, whose child starts from that interpreter's few MiB.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

# Run as `python -c LAUNCHER USAGE_FILE COMMAND…`: runs COMMAND, writes its rusage to USAGE_FILE
# and exits with its status. While it runs, the proportional set size (PSS: shared pages divided
# among those sharing them) of it and every process below it is summed every 100 ms: what the
# command needs of the machine at once, where its ru_maxrss is only that of its largest process.
LAUNCHER = """
import json, os, re, sys, time
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)

def below(root):
    parents = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
    found, todo = [], [root]
    while todo:
        found.append(todo.pop())
        todo += [child for child, parent in parents.items() if parent == found[-1]]
    return found

def pss_kib(process):
    try:
        with open(f"/proc/{process}/smaps_rollup") as rollup:
            return int(re.search(r"^Pss:\\s+([0-9]+) kB", rollup.read(), re.M)[1])
    except (OSError, TypeError):
        return 0

peak_pss = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    peak_pss = max(peak_pss, sum(map(pss_kib, below(pid))))
    time.sleep(0.1)
with open(sys.argv[1], "w") as out:
    json.dump({"cpu": usage.ru_utime + usage.ru_stime, "peak_rss_kib": usage.ru_maxrss,
               "peak_pss_kib": peak_pss}, out)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclasses.dataclass
class Usage:
    """What a command cost: seconds of wall and of CPU (user + sys, its waited children
    included), the peak resident memory of its largest process and the peak PSS of all its
    processes together, in KiB, and its exit status."""

    wall: float
    cpu: float
    peak_rss_kib: int
    returncode: int
    peak_pss_kib: int = 0


def measure(command: Sequence[str], output: IO[bytes], cwd: Path | None = None,
            errors: int | IO[bytes] | None = subprocess.STDOUT) -> Usage:
    """Run `command` with its stdout to `output` and its stderr to `errors` (by default with
    its stdout; None: this process's); what it cost."""
    with tempfile.NamedTemporaryFile(suffix=".json") as usage_file:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LAUNCHER, usage_file.name, *command],
                              cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=errors)
        wall = time.perf_counter() - started
        usage = json.loads(Path(usage_file.name).read_text(encoding="utf-8"))
    return Usage(wall, usage["cpu"], usage["peak_rss_kib"], done.returncode, usage["peak_pss_kib"])
