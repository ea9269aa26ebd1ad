"""A store for the web tests: the demo trust (evidence, a self-assessment, two assessments), a second
trust, an evidence item with hostile text, and one account per role (plus one scoped to the other trust)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

PASSWORD = "correct horse battery staple"
DEMO = "ZZ9"
OTHER = "RXB"
HOSTILE_ID = "hostile-1"
HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
USERS = {
    "viewer": ("viewer@trust.nhs.uk", "Vera Viewer", [DEMO]),
    "contributor": ("contrib@trust.nhs.uk", "Colin Contributor", [DEMO]),
    "lead": ("lead@trust.nhs.uk", "Lena Lead", [DEMO]),
    "executive": ("exec@trust.nhs.uk", "Evan Executive", [DEMO]),
    "admin": ("admin@trust.nhs.uk", "Adam Admin", []),
    "other": ("other@trust.nhs.uk", "Olive Other", [OTHER]),
}


def hostile_item() -> Any:
    from pxrules.evidence import parse_evidence

    return parse_evidence({
        "id": HOSTILE_ID, "kind": "document", "org": DEMO, "period_start": "2026-05-01", "doc_type": "sdm_policy",
        "title": HOSTILE, "status": "draft", "contents": ["board_lead"],
        "source": {"title": HOSTILE, "reference": "<b>REF</b>"},
    })  # fmt: skip


def build_store(url: str) -> str:
    """Fill an empty database at `url` (returns it)."""
    from pxrules.accounts.users import add_user
    from pxrules.board.selfassess import import_self_assessment
    from pxrules.demo import DEMO_NAME, _self_files
    from pxrules.evidence.io import read_evidence_sources
    from pxrules.paths import examples_dir
    from pxrules.scoring.stored import run_assessment
    from pxrules.store.db import init_db, unit_of_work
    from pxrules.store.repo import add_org, store_evidence

    root = examples_dir() / "demo"
    init_db(url)
    sourced = read_evidence_sources(sorted((root / "evidence").glob("*.yaml")))
    with unit_of_work(url) as session:
        add_org(DEMO, DEMO_NAME, "acute", session=session, by="test")
        add_org(OTHER, "Other Test Hospitals NHS Trust", "acute", session=session, by="test")
        store_evidence([*(s.item for s in sourced), hostile_item()], session=session, by="test")
        for role, (email, name, orgs) in USERS.items():
            add_user(session, email, name=name, role="viewer" if role == "other" else role, orgs=orgs,
                     password=PASSWORD, by="test")  # fmt: skip
    day, path = _self_files(root)[-1]
    import_self_assessment(url, path, DEMO, as_of=day, by="test")
    for as_of in (dt.date(2026, 3, 31), dt.date(2026, 9, 30)):
        run_assessment(url, DEMO, as_of, by="test")
    return url


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: Any, role: str, password: str = PASSWORD) -> Any:
    """Sign the TestClient in as the role's account; returns the response to the POST."""
    page = client.get("/signin")
    email = USERS[role][0]
    return client.post("/signin", data={"email": email, "password": password, "csrf": csrf_of(page.text),
                                        "next": "/"}, follow_redirects=False)  # fmt: skip
