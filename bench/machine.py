"""What the machine was doing while a benchmark ran: the CPU used by processes and by the whole
machine (Linux /proc), the load average, and the peak memory of a stretch of work."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import resource
import time
from collections import Counter

TICK = os.sysconf("SC_CLK_TCK")


# --- CPU ------------------------------------------------------------------------------------


def _cpu_by_pid(sid: int | None, database: str | None) -> dict[int, tuple[str, int]]:
    """CPU ticks (user + system) of the server's processes (session `sid`) and of the
    PostgreSQL backends of `database`, by pid."""
    found: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()  # from "state" on
            ticks = int(fields[11]) + int(fields[12])
            if sid is not None and int(fields[3]) == sid:
                found[int(entry)] = ("server", ticks)
            elif database is not None:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    title = cmdline.read()
                if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
                    found[int(entry)] = ("db", ticks)
        except (OSError, IndexError, ValueError):
            continue
    return found


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / TICK


class CpuMeter:
    """Cores used, on average, while the block ran: by the server's processes, by the
    PostgreSQL backends of its database (those alive at the end: a backend that came and went
    inside the block is missed), by this process (the clients) and by the whole machine."""

    def __init__(self, sid: int | None = None, database: str | None = None) -> None:
        self.sid, self.database = sid, database

    def __enter__(self) -> CpuMeter:
        self.before = _cpu_by_pid(self.sid, self.database)
        self.client = time.process_time()
        self.machine = _machine_busy()
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.wall
        after = _cpu_by_pid(self.sid, self.database)
        used: Counter[str] = Counter()
        for pid, (group, ticks) in after.items():
            used[group] += ticks - self.before.get(pid, (group, 0))[1]
        self.server_cores = used["server"] / TICK / wall
        self.db_cores = used["db"] / TICK / wall
        self.client_cores = (time.process_time() - self.client) / wall
        self.machine_cores = (_machine_busy() - self.machine) / wall


def background_load(seconds: float = 1.0) -> float:
    """Cores the machine keeps busy without us (other people's work)."""
    with CpuMeter() as cpu:
        time.sleep(seconds)
    return cpu.machine_cores


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not available on this platform
        return None


def is_busy(*loads: float | None) -> bool:
    """Other work on the machine: a load average at or above its CPU count."""
    return max((load or 0.0 for load in loads), default=0.0) >= (os.cpu_count() or 1)


# --- memory ---------------------------------------------------------------------------------


def _status(field_name: str) -> int | None:
    """A field of /proc/self/status in bytes (VmRSS, VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def trim() -> None:
    """Gives freed memory back: a collection, then malloc_trim where there is one."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class PeakMemory:
    """The peak RSS of a stretch of work above the RSS it started from."""

    def __init__(self) -> None:
        self.method = "VmHWM reset via /proc/self/clear_refs"
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            if _status("VmHWM") is None:
                raise OSError
        except OSError:
            self.method = "ru_maxrss delta (growth past the process's earlier peak only)"

    def start(self) -> None:
        trim()
        if self.method.startswith("VmHWM"):
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            self.base = _status("VmRSS") or 0
        else:
            self.base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def peak(self) -> int:
        if self.method.startswith("VmHWM"):
            return max(0, (_status("VmHWM") or 0) - self.base)
        return max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.base)
