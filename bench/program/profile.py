"""Where the time goes during a run: the CPU per process, and a py-spy profile of the busiest
Python process of the stack, taken while the program streams through it.

`busiest` samples /proc for two seconds once a quarter of the nominations settled and picks
the Python process (service role or gateway) with the most CPU; `spy` records it with py-spy
for a few seconds (`--nonblocking`: the process is never paused) and reduces the samples to
the functions that were on the CPU (leaf frames) and the project's frames they ran under.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg

from bench.program.measure import FINAL, cpu_seconds, ticks
from imet.stack import Stack

ROOT = str(Path(__file__).resolve().parents[2])
FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:]+)(?::\d+)?\)$")


async def busiest(stack: Stack, dsn: str, expected: int) -> tuple[str, int, dict[str, float]]:
    """(name, pid, CPU-seconds per process over 2 s) once a quarter of the program settled."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            row = await conn.fetchrow(FINAL)
            if row is not None and row["settled"] >= expected // 4:
                break
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    before = ticks(stack)
    await asyncio.sleep(2.0)
    spent = cpu_seconds(before, ticks(stack))
    python = {n: s for n, s in spent.items() if n in stack.processes}
    name = max(python, key=lambda n: python[n])
    return name, stack.processes[name].pid, spent


async def spy(pid: int, seconds: int = 5) -> dict[str, Any]:
    """A py-spy record of `pid`: the top leaf functions and project frames, share of samples."""
    exe = shutil.which("py-spy") or f"{ROOT}/.venv/bin/py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "raw.txt"
        proc = await asyncio.create_subprocess_exec(
            exe, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100",
            "--format", "raw", "--nonblocking", "--full-filenames", "--output", str(out),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await proc.communicate()
        if proc.returncode != 0 or not out.exists():
            return {"error": err.decode(errors="replace")[-400:]}
        dump = await asyncio.create_subprocess_exec(
            exe, "dump", "--pid", str(pid), "--nonblocking",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        stacks, _ = await dump.communicate()
        return {**_reduce(out.read_text()), "dump": stacks.decode(errors="replace")[:3000]}


def _reduce(raw: str) -> dict[str, Any]:
    leaves: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";") if f]
        if frames:
            leaves[frames[-1][0]] += n
        seen = set()
        for label, mine in frames:
            if mine and label not in seen:
                seen.add(label)
                ours[label] += n
    share = lambda c: [[k, round(100 * v / max(total, 1), 1)] for k, v in c.most_common(15)]  # noqa: E731
    return {"samples": total, "leaf_percent": share(leaves), "project_frames_percent": share(ours)}


def _short(frame: str) -> tuple[str, bool]:
    """'func (path/to/file.py:12)' -> ('func (file.py)', whether it is the project's code)."""
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()[:80], False
    path = m["file"]
    mine = path.startswith(ROOT) and "/.venv/" not in path
    tail = "/".join(path.split("/")[-2:])
    return f"{m['func']} ({tail})", mine
