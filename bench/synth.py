"""Seeded synthetic trusts for the benchmarks: the demo trust's evidence as templates, varied per trust.

A trust of N items is the demo trust's own evidence (every kind) plus copies of it moved back one, two, ...
years, so larger trusts simply hold more history; values (counts, percentages, shares, yes/no answers) and
the dates of point-in-time items vary per trust, and a few items are left out, so trusts score differently.
Benchmarks are national: every trust shares one copy per year of history. Every generated item is
validated by the evidence models; a variation that breaks a rule of its kind falls back to the template's
value. The same seed always gives the same trusts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import ValidationError

from pxrules.evidence import Evidence, parse_evidence
from pxrules.evidence.io import read_evidence_sources
from pxrules.paths import examples_dir

DEMO_ORG = "ZZ9"
# Kinds observed at a point in time (meetings, checks, decisions): their dates move a little per trust.
# Period kinds (monthly returns, quarters, survey waves) keep calendar-aligned periods.
POINT_KINDS = frozenset({"board_meeting", "website_check", "feedback_channel", "service_change", "attestation",
                         "document", "qi_project"})
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(.*)$")
_YEAR = re.compile(r"^\d{4}$")
# Fields that are identities or labels, never varied.
_KEEP = frozenset({"id", "org", "kind", "period_start", "period_end", "recorded_at", "recorded_by", "wave",
                   "question_number", "source", "sub_requirements", "notes", "unit", "scope", "measure"})
# Quarter ends the national batch assesses (12 quarterly dates).
QUARTERS: tuple[dt.date, ...] = tuple(
    dt.date(y, m, d) for y, m, d in [
        (2023, 12, 31), (2024, 3, 31), (2024, 6, 30), (2024, 9, 30), (2024, 12, 31), (2025, 3, 31),
        (2025, 6, 30), (2025, 9, 30), (2025, 12, 31), (2026, 3, 31), (2026, 6, 30), (2026, 9, 30),
    ]
)


@cache
def templates() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """(the demo trust's own items, the shared benchmarks) as JSON data."""
    folder = examples_dir() / "demo" / "evidence"
    items = [s.item.model_dump(mode="json") for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]
    own = tuple(i for i in items if i["org"] == DEMO_ORG)
    shared = tuple(i for i in items if i["org"] is None)
    return own, shared


def _shift_date(text: str, years: int, days: int) -> str:
    match = _DATE.match(text)
    if not match:
        return text
    y, m, d = int(match.group(1)), int(match.group(2)), int(match.group(3))
    rest = match.group(4)
    if rest and not rest.startswith("T"):
        return text
    try:
        day = dt.date(y - years, m, d)
    except ValueError:  # 29 February in a year that has none
        day = dt.date(y - years, m, 28)
    if d == _month_end(y, m):  # a month's last day stays a month's last day
        day = dt.date(day.year, day.month, _month_end(day.year, day.month))
    day += dt.timedelta(days=days)
    return day.isoformat() + rest


def _month_end(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _shift(data: Any, years: int, days: int) -> Any:
    if isinstance(data, dict):
        return {k: (str(int(v) - years) if k == "wave" and isinstance(v, str) and _YEAR.match(v)
                    else _shift(v, years, days)) for k, v in data.items()}
    if isinstance(data, list):
        return [_shift(v, years, days) for v in data]
    if isinstance(data, str):
        return _shift_date(data, years, days)
    return data


def _vary(data: dict[str, Any], rng: random.Random, scale: float) -> dict[str, Any]:
    """Counts scaled (parts stay within totals: all counts of an item scale alike), percentages and shares
    nudged, a few yes/no answers flipped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _KEEP or value is None:
            out[key] = value
        elif isinstance(value, bool):
            out[key] = (not value) if rng.random() < 0.04 else value
        elif isinstance(value, int):
            out[key] = int(value * scale)
        elif isinstance(value, float):
            if 0.0 <= value <= 1.0 and ("share" in key or key.endswith("_rate")):
                out[key] = round(min(1.0, max(0.0, value + rng.gauss(0, 0.04))), 4)
            elif key.startswith("percentage") or (key == "value" and data.get("unit") == "percent"):
                out[key] = round(min(100.0, max(0.0, value + rng.gauss(0, 2.0))), 1)
            else:
                out[key] = value
        elif isinstance(value, dict) and all(isinstance(v, int | None) for v in value.values()):
            out[key] = {k: (None if v is None else int(v * scale)) for k, v in value.items()}
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Trust:
    """One synthetic organisation: its code and its own evidence (benchmarks are shared, see `benchmarks`)."""

    code: str
    items: list[Evidence]


def org_code(index: int) -> str:
    """S0001, S0002, ...: valid ODS-like codes that no real organisation has."""
    return f"S{index:04d}"


def layers_for(size: int) -> int:
    """Years of history (demo years included) a trust of `size` items needs."""
    own, shared = templates()
    per_layer = len(own) + len(shared)
    return max(1, -(-size // per_layer))


def benchmarks(layers: int) -> list[Evidence]:
    """The national benchmarks for `layers` years of history (shared by every trust)."""
    _, shared = templates()
    out: list[Evidence] = []
    for layer in range(layers):
        for raw in shared:
            data = _shift(raw, layer, 0)
            data["id"] = f"nat-y{layer}-{raw['id']}"
            out.append(parse_evidence(data))
    return out


def make_trust(index: int, size: int, seed: int = 7) -> Trust:
    """Trust number `index` with `size` items in total counting the benchmarks it sees (>= the demo's size).

    Items come newest year first; within the newest year about 5% are left out at random.
    """
    rng = random.Random(f"{seed}:{index}")
    code = org_code(index)
    own, shared = templates()
    layers = layers_for(size)
    wanted = size - len(shared) * layers
    scale = rng.uniform(0.6, 1.4)
    jitter = rng.randint(-20, 0)
    items: list[Evidence] = []
    for layer in range(layers):
        for raw in own:
            if len(items) >= wanted:
                break
            if layer == 0 and rng.random() < 0.05:
                continue
            days = jitter if raw["kind"] in POINT_KINDS else 0
            base = _shift(raw, layer, days)
            base.update(id=f"{code.lower()}-y{layer}-{raw['id']}", org=code)
            base["source"] = {**base["source"], "title": base["source"]["title"].replace(DEMO_ORG, code)}
            try:
                items.append(parse_evidence(_vary(base, rng, scale)))
            except ValidationError:
                items.append(parse_evidence(base))
    while len(items) < wanted:  # the ~5% left out of the newest year are made up from an older year
        raw = own[len(items) % len(own)]
        base = _shift(raw, layers, 0)
        base.update(id=f"{code.lower()}-y{layers}-{raw['id']}-{len(items)}", org=code)
        items.append(parse_evidence(base))
    return Trust(code, items)


def trust_sizes(count: int, seed: int = 7, low: int | None = None, high: int = 5000, mode: int = 2000) -> list[int]:
    """Seeded sizes for a national set: triangular between the demo trust's size and `high`, peaking at `mode`."""
    own, shared = templates()
    low = low or len(own) + len(shared)
    rng = random.Random(f"{seed}:sizes")
    return [int(rng.triangular(low, high, max(low, min(mode, high)))) for _ in range(count)]


def payload(items: list[Evidence]) -> str:
    """Items as a JSON document `pxrules evidence import` reads (for the whole-command scenarios)."""
    return json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False)
