"""Evidence for tests, built alike everywhere: one organisation, fresh ids, a source filled in, validated."""

from __future__ import annotations

import itertools
from typing import Any

from pxrules.evidence import Evidence, parse_evidence


class EvidenceBuilder:
    """`ev(kind, start, end, **fields)`: one item of `org` with id `<prefix><n>` (benchmarks have no org).

    `start` and `end` fill period_start and period_end when given (they may also come in `fields`).
    """

    def __init__(self, org: str = "TEST", prefix: str = "t") -> None:
        self.org = org
        self.prefix = prefix
        self._ids = itertools.count()

    def __call__(self, kind: str, start: str | None = None, end: str | None = None, **fields: Any) -> Evidence:
        data: dict[str, Any] = {"kind": kind, "id": f"{self.prefix}{next(self._ids)}", "org": self.org,
                                "source": {"title": "unit test"}}
        if start is not None:
            data["period_start"] = start
        if end is not None:
            data["period_end"] = end
        data.update(fields)
        if kind == "benchmark":
            data.pop("org")
        return parse_evidence(data)

    def doc(self, doc_type: str, approved: str | None, review: str | None = None, status: str = "approved", *,
            start: str, **fields: Any) -> Evidence:
        """A document approved on `approved` (its period starting then, else on `start`), review due `review`."""
        return self("document", approved or start, doc_type=doc_type, title=f"{doc_type} doc", status=status,
                    approved_on=approved, review_due=review, **fields)
