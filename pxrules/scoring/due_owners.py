"""`evidence due` by owner: the due report with each lapsing item's owner, and owned items due for review.

Owners live beside the register (store/owners.py), so this joins them onto the computed report rather
than changing how lapses and score drops are computed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pxrules.scoring.due import DEFAULT_WITHIN, evidence_due
from pxrules.store.db import unit_of_work
from pxrules.store.owners import owners_of
from pxrules.store.repo import load_evidence

NO_OWNER = "(no owner)"


def evidence_due_by_owner(
    url: str, org: str, *, as_of: dt.date | None = None, within: int = DEFAULT_WITHIN
) -> dict[str, Any]:
    """The due report as JSON, each lapsing item with `owner`; `reviews` due by the horizon; `by_owner` ids."""
    today = as_of or dt.date.today()
    data = evidence_due(url, org, as_of=today, within=within).to_json()
    horizon = today + dt.timedelta(days=within)
    with unit_of_work(url) as session:
        items = {i.id: i for i in load_evidence(org, session=session)}
        owners = owners_of(list(items), session=session)
    by_owner: dict[str, list[str]] = {}
    for entry in data["lapsing"]:
        who = owners.get(entry["id"])
        entry["owner"] = who.owner if who and who.owner else None
        entry["review_date"] = who.review_date.isoformat() if who and who.review_date else None
        by_owner.setdefault(entry["owner"] or NO_OWNER, []).append(entry["id"])
    reviews = []
    for evidence_id, who in sorted(owners.items()):
        if evidence_id in items and who.review_date is not None and who.review_date <= horizon:
            reviews.append({"id": evidence_id, "title": items[evidence_id].source.title,
                            "owner": who.owner or None, "review_date": who.review_date.isoformat(),
                            "overdue": who.review_date < today})  # fmt: skip
            by_owner.setdefault(who.owner or NO_OWNER, []).append(evidence_id)
    data["lapsing"].sort(key=lambda e: (e["owner"] is None, (e["owner"] or "").lower(), e["lapses_on"], e["id"]))
    data["reviews"] = sorted(reviews, key=lambda r: (r["owner"] is None, r["review_date"], r["id"]))
    data["by_owner"] = {
        k: sorted(set(v)) for k, v in sorted(by_owner.items(), key=lambda kv: (kv[0] == NO_OWNER, kv[0]))
    }
    return data
