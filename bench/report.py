"""The figures as the README shows them: a column a data set, then the growth ratios."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .figures import Figures

# The table's rows: a label, and the figures it shows ("a / b" when two).
ROWS = [
    ("booking, requests/s", ("booking_per_s",), "{:,.0f}"),
    ("no-op read floor, requests/s", ("noop_read_per_s",), "{:,.0f}"),
    ("**booking / floor** (≥ 0.5)", ("booking_ratio",), "{:.2f}"),
    *(
        row
        for scope, label, ms, noop_target in (
            ("national", "national", "{:,.0f}", "≤ 3 at 5,000 officers, ≤ 5 at 25,000"),
            ("force", "one force", "{:,.1f}", "≤ 2"),
        )
        for row in (
            (f"deployable {label}: officers", (f"deployable_{scope}_officers",), "{:,.0f}"),
            (
                f"deployable {label} p50 / p95, ms",
                (f"deployable_{scope}_p50_ms", f"deployable_{scope}_p95_ms"),
                ms,
            ),
            (f"hand-written SQL {label} p50, ms", (f"deployable_{scope}_sql_p50_ms",), ms),
            (f"**deployable {label} / SQL** (≤ 2)", (f"deployable_{scope}_ratio",), "{:.2f}"),
            ("no-op read beside it p50, ms", (f"deployable_{scope}_noop_p50_ms",), "{:,.1f}"),
            (
                f"**deployable {label} / no-op read** ({noop_target})",
                (f"deployable_{scope}_noop_ratio",),
                "{:.2f}",
            ),
            (
                f"deployable {label} by stage DPS: officers",
                (f"deployable_{scope}_stage_officers",),
                "{:,.0f}",
            ),
            (
                f"deployable {label} by stage / by profile p50, ms",
                (f"deployable_{scope}_stage_p50_ms", f"deployable_{scope}_profile_p50_ms"),
                ms,
            ),
            (
                f"**deployable {label} by stage / by profile** (≤ 1.5)",
                (f"deployable_{scope}_stage_ratio",),
                "{:.2f}",
            ),
            (
                f"deployable {label} by stage / by profile, per officer answered",
                (f"deployable_{scope}_stage_per_officer_ratio",),
                "{:.2f}",
            ),
        )
    ),
    ("export: rows in the 43 returns", ("export_rows",), "{:,.0f}"),
    ("`dutyservice export`, s", ("export_wall_s",), "{:,.2f}"),
    ("COPY of the same rows, s", ("copy_same_rows_s",), "{:,.2f}"),
    ("**export / COPY** (≤ 2)", ("export_ratio",), "{:.2f}"),
    ("scheduler's quarterly job, s", ("export_job_s",), "{:,.2f}"),
    ("scheduler's job / COPY", ("export_job_ratio",), "{:.2f}"),
    ("export peak memory, MB", ("export_peak_rss_mb",), "{:,.0f}"),
]


def table(results: list[Figures]) -> str:
    header = ["figure"] + [f"{r.dataset} ({r.database})" for r in results]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    lines.append(
        "| officers / duties | "
        + " | ".join(f"{r.officers:,} / {r.duties:,}" for r in results)
        + " |"
    )
    for label, names, number in ROWS:
        cells = [
            " / ".join(number.format(r.figures[n]) for n in names)
            if all(n in r.figures for n in names)
            else "–"
            for r in results
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    by_name = {r.dataset: r.figures for r in results if r.database == "postgresql"}
    if {"base", "officers x10", "history x10"} <= by_name.keys():
        base, officers, history = (by_name[k] for k in ("base", "officers x10", "history x10"))
        lines.append("")
        for scope in ("national", "force"):
            growth = history.get(f"deployable_{scope}_history_growth")
            if growth is not None:
                lines.append(
                    f"- deployable {scope} p50 under 10 × history: {growth:.2f} × the base, "
                    "the two answering in turn (≤ 1.1)"
                )
        lines.append(
            "- export peak memory with 10 × the officers: "
            f"{officers['export_peak_rss_mb'] / base['export_peak_rss_mb']:.2f} × the base (≤ 1.1)"
        )
    return "\n".join(lines)


def write_json(results: list[Figures], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2))
