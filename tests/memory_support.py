"""Peak memory of the running process, for figures measured in a child process (not a test module)."""

from __future__ import annotations

import resource
import sys


def peak_kb() -> int:
    """Peak resident memory of this process in kB: Linux's VmHWM (this program's alone), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS
