"""The report's chart: a well-formed SVG with one bar per 0-1 metric and escaped names."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # our own SVG, not untrusted input

from talkrag.evals.plot import metrics_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_one_bar_per_share_with_its_interval():
    metrics = {"hit@5": 0.9, "claims_supported": 0.5, "questions": 72.0, "ndcg@10": None}
    svg = ET.fromstring(metrics_svg(metrics, {"hit@5": (0.8, 0.95)}))  # noqa: S314
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 2
    assert float(bars[0].get("width")) > float(bars[1].get("width"))
    whiskers = [p for p in svg.findall(f"{SVG}path") if "H" in p.get("d")]
    assert len(whiskers) == 1


def test_names_are_escaped():
    svg = metrics_svg({"<b>&x": 0.4}, {})
    assert "<b>" not in svg
    assert ET.fromstring(svg) is not None  # noqa: S314
