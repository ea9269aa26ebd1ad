"""Values no column can hold, sent to the workspace: a NUL character in any text (PostgreSQL refuses it,
SQLite would keep it) is refused alike on both, naming the field, with nothing stored; an id past the
database's integer range is a page that does not exist (404), never a server error."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from web_support import DEMO, HOSTILE_ID, build_store, csrf_of, sign_in

from pxrules.errors import StoreError
from pxrules.store.actions import add_action
from pxrules.store.db import unit_of_work
from pxrules.web.app import create_app
from pxrules.web.config import WebConfig

HUGE = "99999999999999999999"
Counts = Callable[[str], dict[str, int]]


@pytest.fixture(scope="module")
def url(module_store_url: str) -> str:
    return build_store(module_store_url)


@pytest.fixture
def lead(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(url)), raise_server_exceptions=False) as client:
        assert sign_in(client, "lead").status_code == 303
        yield client


@pytest.mark.parametrize("path", [
    f"/orgs/{DEMO}/self-assessment/{HUGE}", f"/orgs/{DEMO}/self-assessment/{HUGE}/section/1",
    f"/orgs/{DEMO}/actions/{HUGE}", f"/api/orgs/{DEMO}/actions/{HUGE}",
    f"/orgs/{DEMO}/reports/download?assessment={HUGE}", f"/api/orgs/{DEMO}/self-assessment/9223372036854775808",
])  # fmt: skip
def test_an_id_past_the_integer_range_is_not_found(lead: TestClient, path: str) -> None:
    answer = lead.get(path)
    assert answer.status_code == 404, (path, answer.text[:300])
    assert "Traceback" not in answer.text


def test_a_nul_character_is_refused_naming_the_field_and_nothing_is_stored(
    url: str, lead: TestClient, table_counts: Counts
) -> None:
    base = f"/orgs/{DEMO}/self-assessment"
    csrf = csrf_of(lead.get(base).text)
    made = lead.post(base, data={"as_of": "30/09/2026", "csrf": csrf}, follow_redirects=False)
    draft = made.headers["location"]
    before = table_counts(url)
    line = lead.post(f"{draft}/lines/1A", data={"csrf": csrf, "current_position": "a\x00b"},
                     headers={"hx-request": "true"})  # fmt: skip
    assert "current position: holds a NUL character" in line.text
    submitted = lead.post(f"{draft}/submit", data={"csrf": csrf, "comment": "x\x00y"})
    assert submitted.status_code == 422 and "comment: holds a NUL character" in submitted.text
    withdrawn = lead.post(f"/orgs/{DEMO}/evidence/{HOSTILE_ID}/withdraw", data={"csrf": csrf, "reason": "a\x00b"})
    assert withdrawn.status_code == 422 and "NUL character" in withdrawn.text
    assert table_counts(url) == before


def test_the_store_refuses_a_nul_from_any_caller(url: str, table_counts: Counts) -> None:
    before = table_counts(url)
    with pytest.raises(StoreError, match=r"title: holds a NUL character .*\(action\)"), unit_of_work(url) as session:
        add_action(session=session, by="test", org=DEMO, sub_requirement="3A", title="story\x00programme")
    assert table_counts(url) == before


@pytest.mark.parametrize("args", [["action", "history", HUGE], ["report", "--org", DEMO, "--assessment", HUGE,
                                                                 "--format", "md", "-o", "{tmp}/r.md"]])  # fmt: skip
def test_the_command_line_says_so_in_one_line(url: str, args: list[str], tmp_path: object) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(app, ["--db", url, *[a.replace("{tmp}", str(tmp_path)) for a in args]])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
