"""Files through the workspace (TestClient, SQLite and PostgreSQL): hostile attachments refused beside the
field with nothing stored, an oversized body refused before it is read, and the bulk upload all or nothing
with every row's problem listed (CSV, the Excel template filled in, YAML)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from web_support import DEMO, build_store, csrf_of, sign_in

from pxrules.web.app import UPLOAD_PATHS, create_app
from pxrules.web.config import WebConfig
from pxrules.web.security import BodyLimit

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
Counts = Callable[[str], dict[str, int]]


@pytest.fixture(scope="module")
def url(module_store_url: str) -> str:
    return build_store(module_store_url)


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(url, attachment_max=2 * 1024 * 1024)), raise_server_exceptions=False) as c:
        c.cookies.clear()
        assert sign_in(c, "contributor").status_code == 303
        yield c


def docx_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/media/zero.bin", b"\x00" * (60 * 1024 * 1024))
    return buffer.getvalue()


def form(client: TestClient) -> dict[str, str]:
    page = client.get(f"/orgs/{DEMO}/evidence/new/board_meeting")
    return {"csrf": csrf_of(page.text), "period_start": "06/07/2026", "patient_story": "no",
            "source.title": "Board meeting, 6 July 2026"}  # fmt: skip


HOSTILE = [
    ("minutes.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "the content is HTML, not PDF"),
    ("policy.docx", docx_bomb(), "zip bomb"),
    ("../../etc/passwd.pdf", PDF, "not a plain file name"),
    ("..\\x.pdf", PDF, "not a plain file name"),
    ("empty.pdf", b"", "the file is empty"),
    ("big.pdf", PDF + b"0" * (2 * 1024 * 1024), "over the 2,097,152-byte limit"),
]


@pytest.mark.parametrize(("name", "data", "why"), HOSTILE, ids=[h[2].split()[-1] for h in HOSTILE])
def test_a_hostile_attachment_is_refused_beside_the_field_and_nothing_is_stored(
    client: TestClient, url: str, table_counts: Counts, name: str, data: bytes, why: str
) -> None:
    before = table_counts(url)
    answer = client.post(f"/orgs/{DEMO}/evidence/new/board_meeting", data=form(client),
                         files={"attachment": (name, data, "application/pdf")})  # fmt: skip
    assert answer.status_code == 422
    beside = re.search(r'<p class="field-error" id="f-attachment-error">(.*?)</p>', answer.text, re.S)
    assert beside and why in beside.group(1).replace("&#39;", "'") and "Nothing was stored" in beside.group(1)
    assert 'href="#f-attachment"' in answer.text
    assert table_counts(url) == before


def test_a_control_character_or_nul_in_the_name_is_refused(client: TestClient, url: str,
                                                           table_counts: Counts) -> None:  # fmt: skip
    # Multipart framing is built by hand: a client library would clean the name before it is sent.
    before = table_counts(url)
    fields = form(client)
    for name in (b"a\x00b.pdf", b"tab\tname.pdf"):
        boundary = b"pxrulesboundary"
        body = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (
            boundary, k.encode(), v.encode()) for k, v in fields.items())  # fmt: skip
        body += b"--%s\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"%s\"\r\n" % (boundary, name)
        body += b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--" + boundary + b"--\r\n"
        answer = client.post(f"/orgs/{DEMO}/evidence/new/board_meeting", content=body,
                             headers={"content-type": "multipart/form-data; boundary=pxrulesboundary"})  # fmt: skip
        assert answer.status_code == 422, name
        assert 'id="f-attachment-error"' in answer.text
    assert table_counts(url) == before


def test_a_200_mb_upload_is_refused_in_plain_words(client: TestClient) -> None:
    declared = client.post(f"/orgs/{DEMO}/evidence/new/board_meeting", content=b"x",
                           headers={"content-length": str(200 * 1024 * 1024),
                                    "content-type": "multipart/form-data; boundary=x"})  # fmt: skip
    assert declared.status_code == 413
    assert "The file is too large" in declared.text and "at most about 2 MB" in declared.text
    assert "Nothing was stored" in declared.text and "<html" in declared.text


def _run(path: str, headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int]:
    """Drive the middleware by hand with `chunks` 1 MB chunks: (status sent, chunks it read)."""
    import asyncio

    read = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"\0" * (1 << 20), "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = BodyLimit(app, limit=64 * 1024, upload_limit=26 * 1024 * 1024, uploads=UPLOAD_PATHS)
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    try:
        asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    except Exception as exc:  # the streamed case raises 413 for the app's error pages to answer
        status.append(getattr(exc, "status_code", 500))
    return status[0], read


def test_an_oversized_body_is_never_read_whole() -> None:
    upload = f"/orgs/{DEMO}/evidence/new/board_meeting"
    declared = [(b"content-length", str(200 * 1024 * 1024).encode())]
    assert _run(upload, declared, 200) == (413, 0), "refused on its declared length, nothing read"
    status, read = _run(upload, [], 200)
    assert status == 413 and read == 27, "a streamed body is refused at the first chunk past the limit"
    assert _run(upload, [], 20) == (200, 20)
    assert _run(f"/orgs/{DEMO}/evidence", [], 20)[0] == 413, "only the upload routes take more"
    assert _run("/signin", [(b"content-length", b"100000")], 1) == (413, 0)


def _csv(rows: list[str]) -> bytes:
    header = "kind,id,period_start,source.title,patient_story,story_presenter"
    return ("\n".join([header, *rows]) + "\n").encode()


def test_bulk_upload_is_all_or_nothing_with_every_problem_listed(client: TestClient, url: str,
                                                                  table_counts: Counts) -> None:  # fmt: skip
    page = client.get(f"/orgs/{DEMO}/evidence/upload")
    assert page.status_code == 200 and f"/orgs/{DEMO}/evidence/template/board_meeting.xlsx" in page.text
    csrf = csrf_of(page.text)
    before = table_counts(url)
    bad = _csv(["board_meeting,up-1,02/04/2026,Board April,yes,patient",
                "board_meeting,up-2,31/13/2026,Board May,yes,none",
                "board_meeting,up-3,03/06/2026,,no,none"])  # fmt: skip
    answer = client.post(f"/orgs/{DEMO}/evidence/upload", data={"csrf": csrf},
                         files={"file": ("../board meetings.csv", bad, "text/csv")})  # fmt: skip
    assert answer.status_code == 422 and "Nothing was stored" in answer.text
    found = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", answer.text)
    rows = [(f, w, re.sub(r" <span.*", "", field), m) for f, w, field, m in found]
    assert rows[0][:3] == ("board meetings.csv", "line 3", "Period start (dd/mm/yyyy)")
    assert "month must be in 1..12" in rows[0][3]
    assert len(rows) == 2 and rows[1][:3] == ("board meetings.csv", "line 4", "Source: title"), rows
    assert rows[1][3] == "This is required"
    assert "pxrules-upload-" not in answer.text and "/tmp" not in answer.text
    assert table_counts(url) == before
    good = client.post(f"/orgs/{DEMO}/evidence/upload", data={"csrf": csrf},
                       files={"file": ("board.csv", _csv(["board_meeting,up-1,02/04/2026,Board April,yes,patient"]),
                                       "text/csv")})  # fmt: skip
    assert good.status_code == 200 and "1 new, 0 unchanged" in good.text and "/evidence/up-1" in good.text
    assert table_counts(url)["evidence"] == before["evidence"] + 1
    stranger = b"- kind: board_meeting\n  id: up-rxb\n  org: RXB\n  period_start: 2026-04-02\n  source: {title: B}\n"
    refused = client.post(f"/orgs/{DEMO}/evidence/upload", data={"csrf": csrf},
                          files={"file": ("other.yaml", stranger, "application/yaml")})  # fmt: skip
    assert refused.status_code == 422 and "This is about RXB, not ZZ9" in refused.text
    wrong = client.post(f"/orgs/{DEMO}/evidence/upload", data={"csrf": csrf},
                        files={"file": ("notes.pdf", PDF, "application/pdf")})  # fmt: skip
    assert wrong.status_code == 422 and "upload a .csv, .xlsx, .yaml or .json file" in wrong.text


def test_the_excel_template_comes_back_through_the_upload(client: TestClient, url: str) -> None:
    from openpyxl import load_workbook

    template = client.get(f"/orgs/{DEMO}/evidence/template/board_meeting.xlsx")
    assert template.status_code == 200 and template.headers["content-disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["board_meeting"]
    keys = [c.value for c in sheet[2]]
    row = {"id": "tpl-1", "period_start": "09/06/2026", "source.title": "Board June", "patient_story": "Yes",
           "story_presenter": "Patient", "body": "Board"}  # fmt: skip
    for column, key in enumerate(keys, start=1):
        if key in row:
            sheet.cell(row=4, column=column, value=row[key])
    buffer = io.BytesIO()
    book.save(buffer)
    csrf = csrf_of(client.get(f"/orgs/{DEMO}/evidence/upload").text)
    answer = client.post(f"/orgs/{DEMO}/evidence/upload", data={"csrf": csrf},
                         files={"file": ("board.xlsx", buffer.getvalue(), "application/octet-stream")})  # fmt: skip
    assert answer.status_code == 200 and "1 new" in answer.text, answer.text[-3000:]
    item = client.get(f"/api/orgs/{DEMO}/evidence/tpl-1").json()
    assert item["payload"]["story_presenter"] == "patient" and item["payload"]["period_start"] == "2026-06-09"
    assert client.get(f"/orgs/{DEMO}/evidence/template/all.xlsx").status_code == 200
    assert client.get(f"/orgs/{DEMO}/evidence/template/nothing.xlsx").status_code == 404


def test_attachments_go_to_the_configured_folder_and_a_refused_one_leaves_none(
    client: TestClient, url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "attachments"
    monkeypatch.setenv("PXRULES_ATTACHMENTS", str(folder))
    new = f"/orgs/{DEMO}/evidence/new/board_meeting"
    html = b"<html>not a pdf</html>"
    refused = client.post(new, data=form(client), files={"attachment": ("minutes.pdf", html, "application/pdf")})
    assert refused.status_code == 422 and not folder.exists()
    data = PDF + b"% kept in a folder\n"
    stored = client.post(new, data=form(client), files={"attachment": ("folder-minutes.pdf", data, "application/pdf")},
                         follow_redirects=False)  # fmt: skip
    assert stored.status_code == 303
    evidence_id = stored.headers["location"].split("/")[-1].split("?")[0]
    sha = client.get(f"/api/orgs/{DEMO}/evidence/{evidence_id}").json()["attachment"]["sha256"]
    assert (folder / sha[:2] / sha).read_bytes() == data
    assert client.get(f"/orgs/{DEMO}/attachments/{sha}").content == data
    (folder / sha[:2] / sha).write_bytes(b"%PDF-1.4 altered")
    altered = client.get(f"/orgs/{DEMO}/attachments/{sha}")
    assert altered.status_code == 500 and "no longer matches its sha256" in altered.text
