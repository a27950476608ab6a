"""The timeline picture of a scenario: each URL's status over time, who answered, the faults.

matplotlib's object API with the Agg canvas (no pyplot, no display, no global state: safe in
any process and thread), rendered to PNG bytes that the HTML embeds. Drawn from a scenario
record alone, so the controller of a pytest-xdist run plots what its workers recorded.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

DOWN = "#d62728"
NODE_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b")
FAULT, UNDO, OTHER = "#7f0000", "#2e7d32", "#666666"
FENCE = "#6a1b9a"  # a fence confirmed by Pacemaker


def _stretches(rows: list[list[Any]], interval: float) -> list[tuple[float, float, str | None]]:
    """(start, length, node or None for no service) for one URL's samples, oldest first."""
    out: list[tuple[float, float, str | None]] = []
    for i, (t, status, node) in enumerate(rows):
        who = node if status == 200 else None
        end = rows[i + 1][0] if i + 1 < len(rows) else t + interval
        if out and out[-1][2] == who:
            start, _, _ = out[-1]
            out[-1] = (start, end - start, who)
        else:
            out.append((t, end - t, who))
    return out


def origin_of(scenario: Mapping[str, Any]) -> float:
    """The picture's 0: the first fault's injection (probe start when there was none)."""
    faults = scenario.get("faults", [])
    injected = [f["injected_s"] for f in faults if f.get("injected_s") is not None]
    return min(injected) if injected else 0.0


def timeline_png(scenario: Mapping[str, Any], nodes: list[str] | None = None) -> bytes:
    """PNG of the scenario's probe samples: a lane per URL, coloured by the node that answered
    (red: no service), with a line where each fault was injected and undone."""
    probe = scenario["probe"]
    cols = {name: i for i, name in enumerate(probe["columns"])}
    urls = list(probe["urls"])
    t0 = origin_of(scenario)
    per_url: dict[str, list[list[Any]]] = {u: [] for u in urls}
    for row in probe["samples"]:
        per_url.setdefault(row[cols["url"]], []).append(
            [row[cols["t_s"]] - t0, row[cols["status"]], row[cols["node"]]]
        )
    seen_nodes = sorted({r[2] for rows in per_url.values() for r in rows if r[2]})
    names = list(nodes or []) + [n for n in seen_nodes if n not in (nodes or [])]
    colour = {n: NODE_COLOURS[i % len(NODE_COLOURS)] for i, n in enumerate(names)}

    fig = Figure(figsize=(10, 1.2 + 0.55 * len(per_url)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    lanes = list(per_url)
    for y, url in enumerate(lanes):
        bars = _stretches(per_url[url], probe["interval_s"])
        for who in {b[2] for b in bars}:
            ax.broken_barh(
                [(s, w) for s, w, n in bars if n == who], (y - 0.35, 0.7),
                facecolors=DOWN if who is None else colour.get(who, OTHER), linewidth=0,
            )
    ax.set_yticks(range(len(lanes)), [f"{u}\n{probe['urls'].get(u, '')}" for u in lanes],
                  fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("seconds from the fault's injection" if scenario.get("faults")
                  else "seconds from the probe's start", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    top = -0.55
    for f in scenario.get("faults", []):
        for key, col, style, label in (("injected_s", FAULT, "-", f["what"]),
                                       ("undone_s", UNDO, "--", f"undo {f['what']}")):
            if f.get(key) is None:
                continue
            x = f[key] - t0
            ax.axvline(x, color=col, linestyle=style, linewidth=1.4)
            ax.annotate(label, (x, top), xytext=(2, 0), textcoords="offset points",
                        fontsize=7, color=col, rotation=0, va="bottom", annotation_clip=False)
            top -= 0.28
    fault_names = {f["what"] for f in scenario.get("faults", [])}
    for e in scenario.get("events", []):
        if e["what"] in fault_names or e["what"].removeprefix("undo ") in fault_names:
            continue
        ax.axvline(e["t_s"] - t0, color=OTHER, linestyle=":", linewidth=1)
    # A rolling upgrade: where each node went to standby, got its new root, came online
    # (or was restored to its old release after it did not rejoin).
    marks = [(st, col) for st, col in (("standby", FAULT), ("swap", OTHER), ("online", UNDO),
                                          ("restore", UNDO))]
    steps = [s for s in (scenario.get("upgrade") or {}).get("steps", [])
             if s.get("started_s") is not None and s["step"] in dict(marks)]
    if steps:
        rows = top - 0.28 * len(marks)
        for s in steps:
            x, row = s["started_s"] - t0, [m for m, _ in marks].index(s["step"])
            ax.axvline(x, color=dict(marks)[s["step"]], linestyle="-.", linewidth=1)
            ax.annotate(f"{s['node']} {s['step']}", (x, top - 0.28 * row), xytext=(2, 0),
                        textcoords="offset points", fontsize=7, color=dict(marks)[s["step"]],
                        va="bottom", annotation_clip=False)
        top = rows
    for op in (scenario.get("fencing") or {}).get("operations", []):
        # Where the fencer confirmed (or failed) a fence: the node is off from here.
        x = op["confirmed_s"] - t0
        ax.axvline(x, color=FENCE, linestyle="-." if op["ok"] else ":", linewidth=1.4)
        ax.annotate(f"{op['target']} fenced" if op["ok"] else f"fencing {op['target']} failed",
                    (x, top), xytext=(2, 0), textcoords="offset points", fontsize=7,
                    color=FENCE, va="bottom", annotation_clip=False)
        top -= 0.28
    ax.set_ylim(len(lanes) - 0.5, top - 0.1)
    handles = [Patch(color=colour[n], label=f"answered by {n}") for n in names]
    handles.append(Patch(color=DOWN, label="no service (error or not 200)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.28 - 0.04 * 3 /
              max(1, len(lanes))), ncol=len(handles), fontsize=7, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def slo_chart_png(rows: list[tuple[str, float | None, float | None]]) -> bytes | None:
    """Horizontal bars: each failover's worst outage against its SLO (a tick); None if empty.
    ``rows``: (label, measured seconds or None when never back, SLO seconds or None)."""
    if not rows:
        return None
    fig = Figure(figsize=(10, 0.8 + 0.32 * len(rows)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    limit = max([v for _, m, s in rows for v in (m, s) if v is not None] or [1.0])
    for y, (_label, measured, slo) in enumerate(rows):
        over = measured is None or (slo is not None and measured > slo)
        width = limit * 1.05 if measured is None else measured
        ax.barh(y, width, color=DOWN if over else "#1f77b4", height=0.6,
                hatch="//" if measured is None else None)
        if slo is not None:
            ax.plot([slo, slo], [y - 0.4, y + 0.4], color="black", linewidth=2)
        ax.text(width, y, " never back" if measured is None else f" {measured:.1f}s",
                va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, limit * 1.25)
    ax.set_xlabel("users without service, seconds (black tick: the SLO)", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


__all__ = ["origin_of", "slo_chart_png", "timeline_png"]
