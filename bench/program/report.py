"""bench/results/program.{json,md,svg}: every label's runs (quick, full), the goals beside them.

The Markdown's tables are regenerated from the JSON; everything below the `FINDINGS` marker is
the analysis written by hand (where the time goes) and is kept as it is.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from bench.gateway_proxy.run import _cpu_model
from bench.program.plan import Mix
from bench.read_paths.plot import bar_chart

RESULTS = Path(__file__).resolve().parents[1] / "results"
FINDINGS = "<!-- findings: written by hand, kept when the tables are regenerated -->"
GOALS = {"wall_s": 30.0, "p99_ms": 2000.0, "lag_p99_ms": 500.0}


def write(label: str, mix: Mix, bare: dict[str, Any], runs: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "program.json"
    data = json.loads(out.read_text()) if out.exists() else {}
    data[label] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cores": os.cpu_count(),
                   "cpu_model": _cpu_model(), "mix": mix.__dict__, "bare_request": bare,
                   "runs": runs}  # fmt: skip
    out.write_text(json.dumps(data, indent=2, default=str) + "\n")
    md = RESULTS / "program.md"
    kept = (
        md.read_text().split(FINDINGS, 1)[1] if md.exists() and FINDINGS in md.read_text() else ""
    )
    md.write_text(markdown(data) + "\n" + FINDINGS + (kept or "\n"))
    shown = data["full"] if "runs" in data.get("full", {}) else data[label]
    (RESULTS / "program.svg").write_text(svg(shown["runs"]))


def _max_lag(run: dict[str, Any]) -> tuple[str, float]:
    lags = {c: v["p99"] for c, v in run["consumer_lag_ms"].items() if v["p99"] is not None}
    worst = max(lags, key=lambda c: lags[c])
    return worst, lags[worst]


def svg(runs: dict[str, Any]) -> str:
    labels = ["wall time / 30 s", "p99 submit to ready / 2 s", "worst consumer lag p99 / 0.5 s"]
    series = {
        name: [r["wall_s"] / GOALS["wall_s"],
               (r["latency"]["submit_to_ready_ms"]["p99"] or 0) / GOALS["p99_ms"],
               _max_lag(r)[1] / GOALS["lag_p99_ms"]]
        for name, r in runs.items()
    }  # fmt: skip
    n = next(iter(runs.values()))["nominations"]
    chart = bar_chart(f"Program year ({n} nominations): measured / goal", labels, series)
    return chart.replace("1.0 = hello", "1.0 = goal")


def markdown(data: dict[str, Any]) -> str:
    out = ["# Program-year benchmark", "",
           "A year's nominations through the whole stack (every role of every service in its "
           "own process), issued by 16 clients in a separate process, timed from the first "
           "submit until every nomination settled. How and why: "
           "[ADR 0145](../../docs/adr/0145-program-year-benchmark.md). Goals are reported, "
           "not asserted: 6,000 settled in <= 30 s on 2 cores, p99 submit -> ready_for_travel "
           "<= 2 s, consumer lag p99 <= 500 ms.", ""]  # fmt: skip
    for label, entry in data.items():
        if "runs" not in entry:
            continue  # a run cut off before it settled: its snapshot, described by hand
        runs = entry["runs"]
        mix, bare = entry["mix"], entry["bare_request"]
        out += [f"## {label}: {mix['nominations']} nominations, {mix['countries']} countries",
                "", f"Measured {entry['measured_at']} on {entry['cores']} cores "
                f"({entry['cpu_model']}). One bare HTTP request (FastAPI hello, wrk) costs "
                f"{bare['cpu_ms_per_request']} ms of CPU.", "",
                "| | " + " | ".join(runs) + " | goal |",
                "|---|" + "---|" * (len(runs) + 1)]  # fmt: skip
        out += [_row(name, [fmt(r) for r in runs.values()], goal) for name, fmt, goal in ROWS]
        out += ["", "Event lag per consumer (p50 / p99 / max ms, events applied):", "",
                "| consumer | " + " | ".join(runs) + " |",
                "|---|" + "---|" * len(runs)]  # fmt: skip
        lags = next(iter(runs.values()))["consumer_lag_ms"]
        for consumer in (c for c, v in lags.items() if v["n"]):
            out.append(
                _row(consumer, [_lag(r["consumer_lag_ms"][consumer]) for r in runs.values()])
            )
        out += ["", "CPU-seconds per process during the run (top 8):", ""]
        for name, r in runs.items():
            top = list(r["cpu_s"].items())[:8]
            out.append(f"- {name}: " + ", ".join(f"{p} {s}" for p, s in top))
        out += ["", "CPU ms per nomination by role (and per event applied, for the consumers):", ""]
        out += [f"- {name}: {_by_role(r)}" for name, r in runs.items()]
        out += ["", "Profile of the busiest Python process (py-spy, 5 s, share of samples):", ""]
        for name, r in runs.items():
            p = r.get("profile", {})
            if "error" in p:
                out.append(f"- {name}: {p['error']}")
                continue
            leaves = ", ".join(f"{f} {s}%" for f, s in p["leaf_percent"][:6])
            frames = [(f, s) for f, s in p["project_frames_percent"] if "imet/" not in f]
            ours = ", ".join(f"{f} {s}%" for f, s in frames[:8])
            out.append(f"- {name}: `{p['process']}`; on CPU: {leaves}; under: {ours}")
        out.append("")
    return "\n".join(out)


def _row(name: str, cells: list[str], goal: str | None = None) -> str:
    return f"| {name} | " + " | ".join(cells) + (f" | {goal} |" if goal is not None else " |")


def _lag(v: dict[str, Any]) -> str:
    return f"{v['p50']} / {v['p99']} / {v['max']} ({v['n']})"


def _lat(key: str) -> Any:
    return lambda r: f"{r['latency'][key]['p50']} / {r['latency'][key]['p99']}"


def _outcome(r: dict[str, Any]) -> str:
    o, n = r["outcomes"], r["nominations"]
    share = lambda k: f"{100 * o.get(k, 0) / n:.1f}%"  # noqa: E731
    retried = share("funding_rejected_then_retried")
    return (f"ready {share('ready_for_travel')}, waitlisted {share('waitlisted')}, denied "
            f"{share('vetting_denied')}, funding retried {retried}")  # fmt: skip


def _by_role(r: dict[str, Any]) -> str:
    groups: dict[str, float] = {}
    for process, seconds in r["cpu_s"].items():
        role = next((k for k in ("consumer", "http", "relay") if f"-{k}-" in process), process)
        groups[role] = groups.get(role, 0.0) + seconds
    n = r["nominations"]
    applied = sum(v["n"] for v in r["consumer_lag_ms"].values())
    parts = [f"{k} {1000 * v / n:.0f}" for k, v in sorted(groups.items(), key=lambda kv: -kv[1])]
    per_event = 1000 * groups.get("consumer", 0.0) / max(applied, 1)
    return (", ".join(parts) + f"; {applied / n:.1f} events applied per nomination, "
            f"{per_event:.1f} ms of consumer CPU each")  # fmt: skip


def _load(r: dict[str, Any]) -> str:
    start, end = r.get("machine_load_average_1m", ("-", "-"))
    return f"{start} / {end}"


def _vetting(r: dict[str, Any]) -> str:
    s, n = r["client"]["stats"], r["nominations"]
    api = s.get("decisions_first", 0) + s.get("decisions_second", 0)
    return f"API {100 * api / n:.1f}%, reuse {100 * (n - api) / n:.1f}%"


ROWS: list[tuple[str, Any, str]] = [
    ("settled (all invariants kept)", lambda r: "yes" if r["ok"] else "**FAILED**", ""),
    ("wall time, first submit to all settled (s)", lambda r: str(r["wall_s"]), "<= 30"),
    ("nominations/s", lambda r: str(r["nominations_per_s"]), ">= 200"),
    ("submit -> ready_for_travel p50 / p99 (ms)", _lat("submit_to_ready_ms"), "p99 <= 2000"),
    ("upload -> ready_for_travel p50 / p99 (ms)", _lat("upload_to_ready_ms"), ""),
    (
        "submit -> ready, no funding retry p50 / p99",
        _lat("submit_to_ready_without_funding_retry_ms"),
        "",
    ),
    ("worst consumer lag p99 (ms)", lambda r: "{} ({})".format(*reversed(_max_lag(r))), "<= 500"),
    ("events per nomination", lambda r: str(r["events_per_nomination"]), ""),
    ("CPU ms per nomination (stack)", lambda r: str(r["cpu_ms_per_nomination"]), ""),
    ("... in bare HTTP requests", lambda r: str(r["cpu_per_nomination_in_bare_requests"]), ""),
    (
        "CPU-seconds: stack / load process",
        lambda r: f"{r['cpu_s_total']} / {r['load_process_cpu_s']}",
        "",
    ),
    ("machine load average (1 min), start / end", _load, "(a shared box)"),
    (
        "share of the machine's CPU the stack got",
        lambda r: str(r.get("stack_share_of_machine", "-")),
        "",
    ),
    ("outcomes", _outcome, "~10% waitlisted, ~3% denied, ~5% retried"),
    ("vetting", _vetting, "~70% API, ~30% reuse"),
]


def main() -> int:
    """Rebuild a label's entry from the per-layout files a run keeps in the temp directory
    (`imet-program-<label>-<instances>.json`): when a long run was cut short after a layout."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("label")
    parser.add_argument("--nominations", type=int, default=6000)
    parser.add_argument("--countries", type=int, default=130)
    args = parser.parse_args()
    runs: dict[str, Any] = {}
    for kept in sorted(Path(tempfile.gettempdir()).glob(f"imet-program-{args.label}-*.json")):
        run = json.loads(kept.read_text())
        runs[f"{run['instances']} instance{'s' if run['instances'] > 1 else ''}"] = run
    first = next(iter(runs.values()))
    unit = first["cpu_ms_per_nomination"] / first["cpu_per_nomination_in_bare_requests"]
    bare = {"cpu_ms_per_request": round(unit, 4), "note": "derived from the kept runs"}
    write(args.label, Mix(nominations=args.nominations, countries=args.countries), bare, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
