"""The cockpit as a PDF (server-side): the snapshot's figures as tables, charts drawn with matplotlib (the same
helpers as the 结果应用 reports), HTML → PDF through `core.pdf.html_to_pdf`."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from wenxiao.cockpit.models import CockpitSnapshot
from wenxiao.core.pdf import html_to_pdf
from wenxiao.results.report import _figure, _png, chart_grades, chart_lights


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def chart_coverage(coverage: list[dict]) -> bytes:
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [c["label"] for c in coverage]
    values = [c["value"] or 0 for c in coverage]
    bars = ax.barh(labels, values, color="#b23a3a")
    ax.bar_label(bars, labels=[("—" if c["value"] is None else f"{c['value']:.1f}%") for c in coverage])
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_title("各环节覆盖率（%）")
    return _png(fig)


def chart_execution(execution: dict) -> bytes:
    plt = _figure()
    groups = execution["groups"][:15]
    fig, ax = plt.subplots(figsize=(6, max(2.5, 0.28 * len(groups) + 1)))
    if groups:
        ax.barh([g["name"][:12] for g in groups], [g["rate"] or 0 for g in groups], color="#409eff")
        if execution.get("time_progress") is not None:
            ax.axvline(execution["time_progress"], color="#c62828", linestyle="--", label="序时进度")
            ax.legend(loc="lower right")
        ax.invert_yaxis()
    else:
        ax.text(0.5, 0.5, "暂无监控数据", ha="center", va="center")
        ax.axis("off")
    ax.set_title("预算执行率（执行最慢的部门，%）")
    return _png(fig)


def cockpit_pdf(snap: CockpitSnapshot) -> bytes:
    p = snap.payload
    charts = {
        "coverage": _data_url(chart_coverage(p["coverage"])),
        "execution": _data_url(chart_execution(p["execution"])),
        "lights": _data_url(chart_lights(p["execution"]["lights"])),
        "grades": _data_url(chart_grades(p["grades"]["selfeval"])),
    }
    html = render_to_string(
        "cockpit/report_pdf.html", {"snap": snap, "p": p, "charts": charts, "printed_at": timezone.localtime()}
    )
    return html_to_pdf(html, f"cockpit {snap.pk}")
