"""What every benchmark script shares: where things live, Django on a benchmark database, statistics,
tables and JSON results. Benchmarks are not tests (STYLE habit 8): they report, they never fail on a time."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
VAR = BENCH / "var"
RESULTS = BENCH / "results"
SCALES = {"real": 4045, "synthetic-200k": 200_000}
SEED = 20261124


def shared_data() -> Path:
    """The project's seed data: $SHURABA_SHARED_DATA, else ../shared/data beside the repository."""
    override = os.environ.get("SHURABA_SHARED_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


def scale_titles(scale: str) -> int:
    """`real`, `synthetic-200k`, or `synthetic-<N>` / `synthetic-<N>k` for quick runs."""
    if scale in SCALES:
        return SCALES[scale]
    size = scale.removeprefix("synthetic-")
    if scale.startswith("synthetic-") and size.rstrip("k").isdigit():
        return int(size.rstrip("k")) * (1000 if size.endswith("k") else 1)
    raise SystemExit(f"unknown scale {scale!r}: use real, synthetic-200k or synthetic-<N>")


def data_dir(scale: str, *, database: str = "sqlite") -> Path:
    return VAR / (scale if database == "sqlite" else f"{scale}-{database}")


def django_setup(scale: str, *, database: str = "sqlite") -> Path:
    """Point Django at the scale's own data directory (never the developer's var/) and start it.

    With DATABASE_URL set (the PostgreSQL runs), the database is that one; the directory keeps only
    the secret key and static root that settings create."""
    directory = data_dir(scale, database=database)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["SHURABA_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415 (the environment above must be set first)

    django.setup()
    return directory


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().split()
    total_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(total_kib / 2**20, 1),
        "python": platform.python_version(),
        "load_average_1m_5m_15m": [round(x, 2) for x in os.getloadavg()],  # the machine is shared: read with care
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def percentile(samples: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples, dtype=float), q)) if samples else float("nan")


def p50_p95(samples: Sequence[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 95)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table: readable on stdout and pasteable into RESULTS.md."""
    cells = [[str(c) for c in headers], *([_cell(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:,.2f}"  # noqa: PLR0124 (NaN check)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def results_write(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=1, ensure_ascii=False) + "\n")
    return path


def status_append(line: str) -> None:
    """A one-line summary for whoever optimizes the engine in parallel (see benchmarks/README.md)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
    with Path(os.environ.get("SHURABA_BENCH_STATUS", "/tmp/bench-status.txt")).open("a") as out:  # noqa: S108 (a fixed file to tail during a long run; $SHURABA_BENCH_STATUS moves it)
        out.write(f"[{stamp}] {line}\n")
