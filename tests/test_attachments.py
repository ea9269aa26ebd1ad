"""Attachments: checked by content, stored by sha256 (database or folder), pinned in provenance, verified."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.evidence.attachment_file import AttachmentError, check_bytes, check_file

runner = CliRunner()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BOARD = """kind: board_meeting
id: bm-1
org: RX1
period_start: 12/03/2026
source: {{title: Board papers, attachment: {name}}}
patient_story: true
story_presenter: patient
"""


UNATTACHED = BOARD.format(name="x").replace("attachment: x", "reference: BM/1")


def office(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("shot.png", PNG, "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("policy.docx", office("docx"), "wordprocessingml"),
        ("tracker.xlsx", office("xlsx"), "spreadsheetml"),
        ("notes.txt", b"Board noted the story, 12/03/2026.\n", "text/plain"),
        ("figures.csv", b"\xef\xbb\xbfa,b\n1,2\n", "text/csv"),
    ],
)
def test_accepted_types(name: str, data: bytes, media: str) -> None:
    checked = check_bytes(data, name)
    assert media in checked.media_type and len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("minutes.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "content is HTML, not PDF"),
        ("notes.txt", b"  <html><body>hi</body></html>", "HTML is not accepted"),
        ("policy.docx", PDF, "content is PDF, not DOCX"),
        ("policy.docx", office("xlsx"), "lacks word/document.xml"),
        ("bomb.docx", office("docx", {"word/media/zero.bin": b"\x00" * (60 * 1024 * 1024)}), "zip bomb"),
        ("empty.pdf", b"", "empty"),
        ("../../etc/passwd.pdf", PDF, "not a plain file name"),
        ("..\\boot.pdf", PDF, "not a plain file name"),
        (".hidden.pdf", PDF, "not a plain file name"),
        ("page.html", b"<html></html>", "cannot be attached"),
        ("script.exe", b"MZ", "cannot be attached"),
        ("binary.txt", b"abc\x00def", "binary data"),
    ],
)
def test_hostile_uploads_refused(name: str, data: bytes, why: str) -> None:
    with pytest.raises(AttachmentError, match=why):
        check_bytes(data, name)


def test_size_limit_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge.pdf"
    with big.open("wb") as out:  # sparse: 200 MB on paper, nothing on disk
        out.write(PDF)
        out.truncate(200 * 1024 * 1024)
    with pytest.raises(AttachmentError, match="over the 26,214,400-byte limit"):
        check_file(big)
    monkeypatch.setenv("PXRULES_ATTACHMENT_MAX_MB", "0.00001")
    with pytest.raises(AttachmentError, match="over the 10-byte limit"):
        check_bytes(PDF, "a.pdf")
    with pytest.raises(AttachmentError, match="no such file"):
        check_file(tmp_path / "missing.pdf")


@pytest.fixture
def pxr(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PXRULES_ATTACHMENTS", raising=False)

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["--db", db_url, "--by", "lead@trust.nhs.uk", *args])

    assert invoke("org", "add", "RX1", "--name", "T", "--type", "acute").exit_code == 0
    return invoke


def _sha(pxr: Callable[..., Any], evidence_id: str) -> str:
    shown = pxr("evidence", "show", evidence_id, "--json")
    return str(json.loads(shown.output)["payload"]["source"]["sha256"])


def test_evidence_file_attachment_resolved_beside_it(pxr: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "board.yaml").write_text(BOARD.format(name="minutes.pdf"), encoding="utf-8")
    missing = pxr("evidence", "import", str(folder / "board.yaml"))
    assert missing.exit_code == 1 and "source.attachment" in missing.output and "no such file" in missing.output
    assert pxr("evidence", "list", "--json").output.strip() == "[]"
    (folder / "minutes.pdf").write_bytes(b"<html>not a pdf</html>")
    fake = pxr("evidence", "import", str(folder / "board.yaml"))
    assert fake.exit_code == 1 and "content is HTML" in fake.output
    (folder / "minutes.pdf").write_bytes(PDF)
    assert pxr("evidence", "validate", str(folder / "board.yaml")).exit_code == 0
    done = pxr("evidence", "import", str(folder / "board.yaml"))
    assert done.exit_code == 0 and "1 attachment(s) stored" in done.output, done.output
    sha = _sha(pxr, "bm-1")
    out = pxr("evidence", "download", sha, "-o", str(tmp_path / "copy.pdf"))
    assert out.exit_code == 0, out.output
    assert (tmp_path / "copy.pdf").read_bytes() == PDF
    again = pxr("evidence", "download", sha, "-o", str(tmp_path / "copy.pdf"))
    assert again.exit_code == 1 and "already exists" in again.output
    assert pxr("audit", "verify").exit_code == 0


def test_attach_makes_a_version_and_verify_reports_altered_bytes(
    pxr: Callable[..., Any], tmp_path: Path, db_url: str
) -> None:
    (tmp_path / "board.yaml").write_text(UNATTACHED, encoding="utf-8")
    assert pxr("evidence", "import", "board.yaml").exit_code == 0
    (tmp_path / "minutes.pdf").write_bytes(PDF)
    attached = pxr("evidence", "attach", "bm-1", "minutes.pdf", "--json")
    assert attached.exit_code == 0, attached.output
    data = json.loads(attached.output)
    assert data["evidence"]["corrected"] == 1 and data["attachment"]["location"] == "database"
    assert _sha(pxr, "bm-1") == data["attachment"]["sha256"]
    assert pxr("audit", "verify").exit_code == 0
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE attachment_blob SET content = :c"), {"c": PDF + b"tampered"})
    engine.dispose()
    broken = pxr("audit", "verify")
    assert broken.exit_code == 1 and "minutes.pdf" in broken.output and "was altered" in broken.output
    refused = pxr("evidence", "download", data["attachment"]["sha256"], "-o", "x.pdf")
    assert refused.exit_code == 1 and "altered" in refused.output and not (tmp_path / "x.pdf").exists()


def test_folder_storage_and_missing_file(
    pxr: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "attachments"
    monkeypatch.setenv("PXRULES_ATTACHMENTS", str(store))
    (tmp_path / "board.yaml").write_text(BOARD.format(name="shot.png"), encoding="utf-8")
    (tmp_path / "shot.png").write_bytes(PNG)
    assert pxr("evidence", "import", "board.yaml").exit_code == 0
    sha = _sha(pxr, "bm-1")
    kept = store / sha[:2] / sha
    assert kept.read_bytes() == PNG
    assert pxr("audit", "verify").exit_code == 0
    kept.unlink()
    broken = pxr("audit", "verify")
    assert broken.exit_code == 1 and "shot.png" in broken.output and "is missing" in broken.output


def test_hostile_attach_stores_nothing(
    pxr: Callable[..., Any], tmp_path: Path, table_counts: Any, db_url: str
) -> None:
    (tmp_path / "board.yaml").write_text(UNATTACHED, encoding="utf-8")
    assert pxr("evidence", "import", "board.yaml").exit_code == 0
    before = table_counts(db_url)
    cases = {
        "evil.pdf": b"<!doctype html><script>x</script>",
        "bomb.xlsx": office("xlsx", {"xl/media/zero.bin": b"\x00" * (60 * 1024 * 1024)}),
        "empty.pdf": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        result = pxr("evidence", "attach", "bm-1", name)
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
    assert table_counts(db_url) == before
