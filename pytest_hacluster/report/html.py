"""report.html: one self-contained page for whoever signs the release off.

The first screen answers a reader who never saw pytest: the verdict, which cluster and build,
what was broken and how long users were without service. Then the table of scenarios (SLO
against measured), then each scenario's timeline picture and details, then the run's metadata.
Pictures are PNG data URIs and styles are inline, so the file opens anywhere without a network;
every value is HTML-escaped. A plain ``string.Template``: the page is small and fixed, a
template engine would be one more dependency for no gain.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from string import Template
from typing import Any

from pytest_hacluster.records import describe_origin
from pytest_hacluster.report import document, plots
from pytest_hacluster.scenario import fenced_nodes

PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 0 20px 40px; }
header.verdict { padding: 18px 20px; color: #fff; }
header.verdict .word { font-size: 34px; font-weight: 700; letter-spacing: .5px; }
header.verdict .sub { font-size: 16px; opacity: .95; }
.v-PASS { background: #1e7b34; } .v-FAIL { background: #b00020; }
.v-FINDINGS { background: #b26a00; } .v-SKIPPED { background: #666; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff;
         font-size: 12px; font-weight: 600; white-space: nowrap; }
p.lead { font-size: 17px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13.5px; }
th, td { border: 1px solid #ddd; padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.over { color: #b00020; font-weight: 600; }
section.scenario { background: #fff; border: 1px solid #ddd; margin: 18px 0; padding: 4px 14px; }
img { max-width: 100%; height: auto; }
pre { background: #f3f3f3; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 28em; }
ul.reasons li { margin: 2px 0; }
.muted { color: #666; font-size: 13px; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
</style>
</head>
<body data-verdict="$verdict">
<header class="verdict v-$verdict_class" id="verdict">
<div class="word">$verdict</div>
<div class="sub">$subtitle</div>
</header>
<main>
<p class="lead" id="lead">$lead</p>
<dl class="facts" id="facts">$facts</dl>
$reasons
<h2>Scenarios: service objective against measured</h2>
$slo_chart
<table id="scenarios">
<thead><tr><th>#</th><th>Scenario</th><th>What was broken</th><th>Node</th><th>SLO</th>
<th>Users without service</th><th>Pacemaker noticed</th><th>Settled</th><th>Ended on</th>
<th>Verdict</th></tr></thead>
<tbody>
$rows
</tbody>
</table>
$other_tests
$sections
<h2>Run details</h2>
$run_details
</main>
<script>
/* For readers and for the browser test: how many pictures really loaded. */
window.addEventListener("load", function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) { if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++; }
  document.body.setAttribute("data-images", String(imgs.length));
  document.body.setAttribute("data-images-loaded", String(ok));
});
</script>
</body>
</html>
""")

VERDICT_CLASS = {document.PASS: "PASS", document.FAIL: "FAIL", document.FINDINGS: "FINDINGS",
                 document.SKIPPED: "SKIPPED"}
TEXT_LIMIT = 6000


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def secs(value: float | None, none: str = "—") -> str:
    return none if value is None else f"{value:.1f} s"


def title_of(nodeid: str) -> str:
    """A test id as words: ``tests/x/test_kill.py::test_killed_service[httpd]`` ->
    ``killed service [httpd]``."""
    name = nodeid.split("::")[-1]
    base, _, param = name.partition("[")
    words = re.sub(r"^test_", "", base).replace("_", " ")
    return words + (f" [{param}" if param else "")


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode()
    return f'<img alt="{e(alt)}" src="data:image/png;base64,{data}">'


def _badge(verdict: str) -> str:
    return f'<span class="badge v-{VERDICT_CLASS.get(verdict, "SKIPPED")}">{e(verdict)}</span>'


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "\n... (cut; see report.json)"


def _versions_line(run: Mapping[str, Any]) -> str:
    """One line of the build: every component's version(s) over all nodes."""
    per = run.get("versions") or {}
    parts = []
    labels = {"pacemaker": "Pacemaker", "corosync": "Corosync", "heartbeat": "Heartbeat",
              "apache": "Apache", "tomcat": "Tomcat"}
    for key, label in labels.items():
        seen = sorted({str(v[key]) for v in per.values() if v.get(key)})
        if seen:
            parts.append(f"{label} {' / '.join(seen)}")
    return ", ".join(parts) or "versions unknown (the nodes did not say)"


def _stack_line(run: Mapping[str, Any]) -> str:
    """Which stack ran and the root it came from, as ``roots.describe_origin`` says it; each
    different one once when the workers' clusters differ."""
    seen = [c.get("stack") for c in run.get("clusters") or [] if c.get("stack")]
    seen = seen or ([run["stack"]] if run.get("stack") else [])
    lines = list(dict.fromkeys(describe_origin(s) for s in seen))
    return "; ".join(lines) or "stack unknown (the run did not say)"


def _lead(doc: Mapping[str, Any]) -> str:
    run = doc["run"]
    scenarios = doc["scenarios"]
    head = document.headline(doc)
    faults = sorted({f["kind"] for sc in scenarios for f in sc.get("faults", [])})
    within = sum(1 for sc in scenarios for m in sc["failovers"] if m["within_slo"])
    measured = sum(len(sc["failovers"]) for sc in scenarios)
    text = (
        f"Cluster <b>{e(run.get('cluster_name'))}</b> "
        f"(nodes {e(', '.join(run.get('nodes', {})))}, {e(run.get('backend'))} backend) "
        f"was broken on purpose in {len(scenarios)} scenario(s)"
    )
    text += f" ({e(', '.join(faults))})." if faults else "."
    if head["worst_outage_s"] is not None:
        text += (
            f" The longest time users were without service was "
            f"<b>{head['worst_outage_s']:.1f} s</b> ({e(title_of(head['worst_scenario']))}: "
            f"{e(head['worst_fault'])})."
        )
    if head["never_back"]:
        text += f" <b>Service did not come back</b> in: {e('; '.join(head['never_back']))}."
    if measured:
        text += f" {within} of {measured} measured failover(s) were within their objective."
    fenced = head["fencing"]
    if fenced is not None:
        text += (f" With STONITH on, Pacemaker fenced {fenced['fenced']} time(s)"
                 f", {fenced['failed']} fencing attempt(s) failed")
        text += (f", and <b>{fenced['races']} fence race(s)</b> fenced more than one node."
                 if fenced["races"] else ", no fence race.")
        if fenced["unread"]:
            text += f" In {fenced['unread']} scenario(s) the fencing could not be read."
    return text


def _facts(doc: Mapping[str, Any]) -> str:
    run = doc["run"]
    totals = ", ".join(f"{n} {k}" for k, n in sorted(doc["totals"].items())) or "no tests"
    items = [
        ("Stack", _stack_line(run)),
        ("Build tested", _versions_line(run)),
        ("Tested on", f"{run.get('started_at', '?')} (UTC), {secs(run.get('duration_s'))}"),
        ("Tests", totals),
        ("Failure detection", _detection_line(run.get("detection"))),
        ("Tool", f"pytest-hacluster {run.get('plugin_version')}, pytest "
                 f"{run.get('pytest_version')}, schema v{doc['schema_version']}"),
    ]
    return "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)


def _detection_line(detection: Mapping[str, Any] | None) -> str:
    """Which timing profile ran: the seed's (outages predict the real pair's) or fast."""
    if not detection:
        return "not recorded"
    kind = ("the seed's Heartbeat timings (deadtime, keepalive, warntime, initdead)"
            if detection.get("profile") == "seed" else "fast profile: quick checks, outages do "
            "not predict the real pair's")
    return (f"{kind}: corosync token {detection.get('token_ms')} ms + consensus "
            f"{detection.get('consensus_ms')} ms, dc-deadtime {detection.get('dc_deadtime')}")


def _reasons(doc: Mapping[str, Any]) -> str:
    """Why it failed (when it did), then every finding: both on the first screen."""
    out = ""
    if doc["verdict"] == document.FAIL:
        out += _list("Why it failed", "reasons", doc.get("verdict_reasons") or [])
    return out + _findings(doc["tests"])


def _findings(tests: list[Mapping[str, Any]], limit: int = 30) -> str:
    """Every finding once, under the scenario it belongs to."""
    with_findings = [t for t in tests if t.get("findings")]
    if not with_findings:
        return ""
    body, shown = "", 0
    for t in with_findings:
        items = t["findings"][: max(0, limit - shown)]
        shown += len(items)
        if not items:
            break
        body += (f'<li class="scenario-findings"><b>{e(title_of(t["test"]))}</b>'
                 f'<ul>{"".join(f"<li>{e(f)}</li>" for f in items)}</ul></li>')
    total = sum(len(t["findings"]) for t in with_findings)
    more = f"<li>... and {total - shown} more</li>" if total > shown else ""
    return f'<h2>Findings</h2><ul class="reasons" id="findings">{body}{more}</ul>'


def _list(label: str, ident: str, items: list[str], limit: int = 30) -> str:
    if not items:
        return ""
    body = "".join(f"<li>{e(r)}</li>" for r in items[:limit])
    more = f"<li>... and {len(items) - limit} more</li>" if len(items) > limit else ""
    return f'<h2>{label}</h2><ul class="reasons" id="{ident}">{body}{more}</ul>'


def _cell(values: list[str]) -> str:
    return "<br>".join(values) if values else "—"


def _row(i: int, sc: Mapping[str, Any]) -> str:
    ms = sc["failovers"]
    what = [e(f["what"]) for f in sc.get("faults", [])]
    nodes = sorted({f["node"] for f in sc.get("faults", []) if f.get("node")})
    slo = [e(f"{m['slo']['name']} {m['slo']['seconds']:g} s") if m["slo"] else "—" for m in ms]
    outs = []
    over = False
    for m in ms:
        worst = m["worst_outage_s"]
        bad = not m["within_slo"]
        over = over or bad
        outs.append(("not back" if worst is None else f"{worst:.1f} s") + (" ✗" if bad else ""))
    detect = [secs(m["detected_s"]) for m in ms]
    settled = [secs(m["settled_s"]) for m in ms]
    ended = [e(", ".join(f"{g} on {n or 'nowhere'}" for g, n in m["placement"].items()))
             for m in ms]
    return (
        f'<tr class="scenario-row"><td class="num">{i + 1}</td>'
        f'<td><a href="#sc-{i + 1}">{e(title_of(sc["test"]))}</a></td>'
        f"<td>{_cell(what)}</td><td>{e(', '.join(nodes)) or '—'}</td>"
        f'<td class="num">{_cell(slo)}</td>'
        f'<td class="num{" over" if over else ""}">{_cell(outs)}</td>'
        f'<td class="num">{_cell(detect)}</td><td class="num">{_cell(settled)}</td>'
        f"<td>{_cell(ended)}</td><td>{_badge(sc['verdict'])}</td></tr>"
    )


def _other_tests(doc: Mapping[str, Any]) -> str:
    rows = [t for t in doc["tests"] if t["scenario"] is None]
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{e(title_of(t['test']))}<div class='muted'>{e(t['test'])}</div></td>"
        f"<td>{e(t['outcome'])}</td><td>{_badge(t['verdict'])}</td></tr>"
        for t in rows
    )
    return (
        "<h2>Other checks</h2><table id='checks'><thead><tr><th>Check</th><th>Outcome</th>"
        f"<th>Verdict</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _failover_details(m: Mapping[str, Any]) -> str:
    lines = [m["summary"]]
    if m.get("slo"):
        lines.append(f"SLO: {m['slo']['name']} {m['slo']['seconds']:g}s ({m['slo']['why']})")
    lines += [f"event {x}" for x in m.get("events", [])]
    lines += [f"{u}: {s}" for u, s in m.get("stories", {}).items()]
    split = m.get("recovery_split")
    if split:
        lines.append("recovery: " + ", ".join(
            f"{k.removesuffix('_s')} {'?' if v is None else f'{v:.2f} s'}"
            for k, v in split.items()))
    lines.append(f"fail-counts before: {m.get('failcounts_before')}")
    lines.append(f"fail-counts after: {m.get('failcounts_after')}")
    if m.get("prediction_text"):
        lines.append(f"scheduler predicted: {m['prediction_text']}")
    out = f"<pre>{e(chr(10).join(lines))}</pre>"
    if m.get("log_lines"):
        out += (f"<details><summary>cluster log of the fault window "
                f"({len(m['log_lines'])} lines)</summary>"
                f"<pre>{e(_clip(chr(10).join(m['log_lines'])))}</pre></details>")
    return out


def _upgrade_details(up: Mapping[str, Any]) -> str:
    """A rolling upgrade: each step with its outage per URL, then each node's versions over
    time (when asked, which Pacemaker and corosync each node ran)."""
    start = ", ".join(f"{n} {r}" for n, r in up.get("from", {}).items())
    urls = sorted({u for s in up.get("steps", []) for u in s.get("outage_s", {})})
    head = "".join(f"<th>{e(u)} outage</th>" for u in urls)
    rows = "".join(
        f"<tr><td>{e(s['node'])}</td><td>{e(s['step'])}</td><td>{e(secs(s.get('started_s')))}"
        f"</td><td>{e(secs(s.get('duration_s')))}</td>"
        + "".join(f"<td>{e(secs(s['outage_s'].get(u)))}</td>" for u in urls)
        + f"<td>{'ok' if s.get('ok') else '<b>did not end</b>'}</td><td>{e(s.get('detail'))}"
        "</td></tr>"
        for s in up.get("steps", []))
    steps = (f"<table class='upgrade-steps'><thead><tr><th>node</th><th>step</th><th>at</th>"
             f"<th>took</th>{head}<th></th><th>what happened</th></tr></thead><tbody>{rows}"
             "</tbody></table>")
    nodes = sorted({n for v in up.get("versions", []) for n in v.get("nodes", {})})
    vhead = "".join(f"<th>{e(n)}</th>" for n in nodes)

    def said(v: Mapping[str, Any]) -> str:
        if v.get("error"):
            return f"no answer ({v['error']})"
        return ", ".join(f"{c} {v[c]}" for c in ("pacemaker", "corosync") if v.get(c)) or "?"

    vrows = "".join(
        f"<tr><td>{e(secs(v.get('t_s')))}</td><td>{e(v.get('when'))}</td>"
        + "".join(f"<td>{e(said(v['nodes'].get(n, {})))}</td>" for n in nodes) + "</tr>"
        for v in up.get("versions", []))
    versions = (f"<table class='upgrade-versions'><thead><tr><th>at</th><th>when</th>{vhead}"
                f"</tr></thead><tbody>{vrows}</tbody></table>")
    lead = f"<p>Rolling upgrade from {e(start)} to <b>{e(up.get('to'))}</b>, node by node."
    if up.get("unsupported"):
        lead += (f" <b>Not supported:</b></p><pre>{e(_clip(up['unsupported']))}</pre>")
    else:
        lead += "</p>"
    return lead + steps + versions
def _fencing_details(fencing: Mapping[str, Any] | None, t0: float) -> str:
    """The scenario's fencing as a table (seconds from the picture's 0), with the lab's own
    power record beside it; nothing with STONITH off."""
    if fencing is None:
        return ""
    ops = fencing.get("operations", [])
    head = ("<tr><th>requested</th><th>confirmed</th><th>who asked</th><th>fenced</th>"
            "<th>action</th><th>result</th><th>request to confirmed</th><th>of it delay</th>"
            "</tr>")

    def at(value: float | None) -> str:
        return "—" if value is None else f"{value - t0:+.2f} s"

    def took(value: float | None) -> str:  # fences take fractions of a second
        return "—" if value is None else f"{value:.2f} s"

    body = "".join(
        f"<tr class='fence-op'><td class='num'>{at(op.get('requested_s'))}</td>"
        f"<td class='num'>{at(op.get('confirmed_s'))}</td><td>{e(op['origin'])}</td>"
        f"<td>{e(op['target'])}</td><td>{e(op['action'])}</td>"
        f"<td{'' if op['ok'] else ' class=over'}>{e(op['result'])}</td>"
        f"<td class='num'>{took(op.get('took_s'))}</td>"
        f"<td class='num'>{took(op.get('delay_s'))}</td></tr>"
        for op in ops
    )
    if fencing.get("double_fence"):
        words = "fence race: more than one node fenced: " + " and ".join(fenced_nodes(fencing))
    elif ops:
        words = f"{len(ops)} fencing operation(s)"
    else:
        words = "no fencing operation logged"
    if fencing.get("error"):
        words += f"; the fencing could not be read: {fencing['error']}"
    out = f"<h4>Fencing (STONITH on): {e(words)}</h4>"
    if ops:
        out += f"<table class='fencing'><thead>{head}</thead><tbody>{body}</tbody></table>"
    power = fencing.get("power") or []
    if power:
        out += ("<p class='muted'>The lab's power record: " + e("; ".join(
            f"{p['request']} at {p['done_s'] - t0:+.2f} s: {p['result']}" for p in power))
            + "</p>")
    return out


def _section(i: int, sc: Mapping[str, Any], nodes: list[str]) -> str:
    parts = [f'<section class="scenario" id="sc-{i + 1}">',
             f"<h3>{i + 1}. {e(title_of(sc['test']))} {_badge(sc['verdict'])}</h3>",
             f"<div class='muted'>{e(sc['test'])} — {e(sc['outcome'])}</div>"]
    try:
        png = plots.timeline_png(sc, nodes)
    except Exception as exc:  # one bad picture must not cost the whole report
        parts.append(f"<p><b>timeline picture failed:</b> {e(exc)}</p>")
    else:
        parts.append(_img(png, f"probe timeline of {title_of(sc['test'])}"))
    if sc.get("verdict_findings"):
        parts.append("<ul>" + "".join(f"<li>{e(f)}</li>" for f in sc["verdict_findings"])
                     + "</ul>")
    parts.append(_fencing_details(sc.get("fencing"), plots.origin_of(sc)))
    parts += [_failover_details(m) for m in sc["failovers"]]
    if sc.get("upgrade"):
        parts.append(_upgrade_details(sc["upgrade"]))
    if sc.get("failure"):
        parts.append(f"<details open><summary>failure</summary><pre>{e(_clip(sc['failure']))}"
                     "</pre></details>")
    for path in sc.get("diagnostics", []):
        parts.append(f"<p>Diagnostics taken at the failure: <a href=\"{e(path)}/\">{e(path)}/</a>"
                     "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _run_details(doc: Mapping[str, Any]) -> str:
    run = doc["run"]
    versions = run.get("versions") or {}
    comps = ("pacemaker", "corosync", "heartbeat", "apache", "tomcat")
    head = "".join(f"<th>{c}</th>" for c in comps)
    body = "".join(
        f"<tr><td>{e(n)}</td>" + "".join(f"<td>{e(v.get(c) or '—')}</td>" for c in comps)
        + "</tr>" for n, v in versions.items()
    )
    meta = {k: v for k, v in run.items() if k not in ("config", "versions")}
    return (
        f"<table id='versions'><thead><tr><th>node</th>{head}</tr></thead><tbody>{body}"
        "</tbody></table>"
        f"<details><summary>run metadata</summary><pre>{e(json.dumps(meta, indent=1))}</pre>"
        "</details>"
        "<details><summary>configuration in effect (secrets removed)</summary>"
        f"<pre>{e(json.dumps(run.get('config'), indent=1))}</pre></details>"
    )


def render(doc: Mapping[str, Any]) -> str:
    """The page for a report.json document."""
    run = doc["run"]
    scenarios = doc["scenarios"]
    nodes = list(run.get("nodes", {}))
    chart_rows = [
        (f"{i + 1}. {m['fault']}"[:60], m["worst_outage_s"],
         m["slo"]["seconds"] if m["slo"] else None)
        for i, sc in enumerate(scenarios) for m in sc["failovers"]
    ]
    try:
        chart = _img(plots.slo_chart_png(chart_rows), "outage per failover against its SLO")
    except Exception as exc:
        chart = f"<p><b>chart failed:</b> {e(exc)}</p>"
    verdict = doc["verdict"]
    subtitle = (f"Release acceptance of cluster {run.get('cluster_name')} — "
                f"{_versions_line(run)}")
    return PAGE.substitute(
        title=e(f"{verdict}: cluster {run.get('cluster_name')} acceptance report"),
        verdict=e(verdict),
        verdict_class=VERDICT_CLASS.get(verdict, "SKIPPED"),
        subtitle=e(subtitle),
        lead=_lead(doc),
        facts=_facts(doc),
        reasons=_reasons(doc),
        slo_chart=chart,
        rows="\n".join(_row(i, sc) for i, sc in enumerate(scenarios)),
        other_tests=_other_tests(doc),
        sections="\n".join(_section(i, sc, nodes) for i, sc in enumerate(scenarios)),
        run_details=_run_details(doc),
    )


__all__ = ["render", "title_of"]
