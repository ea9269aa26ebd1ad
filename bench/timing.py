"""Timing helpers for the benchmarks: medians of repeated runs, timed commands, and memory sampling.

The machine is shared and noisy, so every figure is a median of several runs and every target is quoted
beside a baseline measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    """Median wall time of `fn` in milliseconds over `repeats` runs after `warmup` unrecorded ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def pxrules_command() -> list[str]:
    """How to start the `pxrules` console script of this environment."""
    script = Path(sys.executable).with_name("pxrules")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def run_command(args: Sequence[str], *, check: bool = True) -> tuple[float, str]:
    """Run a command to completion; (wall seconds, stdout). Raises on failure when `check`."""
    started = time.perf_counter()
    done = subprocess.run(list(args), capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    seconds = time.perf_counter() - started
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return seconds, done.stdout


def median_command_s(args: Sequence[str], repeats: int, warmup: int = 1) -> float:
    """Median wall seconds of a command over `repeats` runs (after `warmup` unrecorded ones)."""
    for _ in range(warmup):
        run_command(args)
    return statistics.median(run_command(args)[0] for _ in range(max(1, repeats)))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PXRULES_BY", "pxrules bench")
    env.pop("PXRULES_DB", None)
    return env


@dataclass
class MemoryTrace:
    """RSS samples (MB) of a command's process tree: the parent and the sum of its children, over time."""

    times: list[float] = field(default_factory=list)
    parent: list[float] = field(default_factory=list)
    children: list[float] = field(default_factory=list)
    largest_child: list[float] = field(default_factory=list)

    @property
    def peak_total(self) -> float:
        return max((p + c for p, c in zip(self.parent, self.children, strict=True)), default=0.0)

    def growth_after_warmup(self, series: list[float], warmup: float = 0.25) -> float:
        """MB added between the end of warm-up (the first `warmup` of the run) and the last sample."""
        if len(series) < 4:
            return 0.0
        start = int(len(series) * warmup)
        tail = [s for s in series[start:] if s > 0]
        return (tail[-1] - tail[0]) if len(tail) >= 2 else 0.0


def run_sampled(args: Sequence[str], interval: float = 0.2) -> tuple[float, str, MemoryTrace]:
    """Run a command while sampling the RSS of it and its children; (wall seconds, stdout, trace)."""
    import psutil

    trace = MemoryTrace()
    started = time.perf_counter()
    process = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, env=_env())
    stop = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                parent = root.memory_info().rss / 2**20
                kids = [k.memory_info().rss / 2**20 for k in root.children(recursive=True)]
            except psutil.Error:
                kids, parent = [], 0.0
            trace.times.append(time.perf_counter() - started)
            trace.parent.append(parent)
            trace.children.append(sum(kids))
            trace.largest_child.append(max(kids, default=0.0))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {process.returncode}: {err.strip()[-2000:]}")
    return seconds, out, trace
