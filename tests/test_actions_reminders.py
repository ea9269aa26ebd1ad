"""Actions with owners, due dates, status and history; evidence owners; `evidence due` by owner; reminders."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from cli_support import BOARD, ok
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def pxr(db_url: str) -> Callable[..., Any]:
    def invoke(*args: str, by: str = "lead@trust.nhs.uk") -> Any:
        return runner.invoke(app, ["--db", db_url, "--by", by, *args])

    assert invoke("org", "add", "RX1", "--name", "T", "--type", "acute").exit_code == 0
    return invoke


def test_action_lifecycle_lists_and_history(pxr: Callable[..., Any]) -> None:
    ok(pxr("action", "add", "--org", "RX1", "--sub", "3a", "--title", "Track story actions",
           "--owner", "jo@trust.nhs.uk", "--due", "01/12/2026"))  # fmt: skip
    ok(pxr("action", "add", "--org", "RX1", "--sub", "12C", "--title", "Raise FFT response rate",
           "--owner", "sam@trust.nhs.uk", "--due", "2027-01-20"))  # fmt: skip
    ok(pxr("action", "add", "--org", "RX1", "--sub", "1A", "--title", "Agree strategy"))
    mine = json.loads(ok(pxr("action", "list", "--mine", "--json", by="jo@trust.nhs.uk")).output)
    assert [a["sub_requirement"] for a in mine] == ["3A"]
    overdue = json.loads(ok(pxr("action", "list", "--overdue", "--as-of", "07/12/2026", "--json")).output)
    assert [a["id"] for a in overdue] == [1] and overdue[0]["overdue"] is True
    soon = json.loads(ok(pxr("action", "list", "--due-within", "45", "--as-of", "07/12/2026", "--json")).output)
    assert [a["id"] for a in soon] == [1, 2]
    ok(pxr("action", "update", "1", "--status", "in progress", "--note", "started"))
    ok(pxr("action", "update", "1", "--status", "done", by="jo@trust.nhs.uk"))
    assert json.loads(ok(pxr("action", "list", "--overdue", "--as-of", "07/12/2026", "--json")).output) == []
    history = json.loads(ok(pxr("action", "history", "1", "--json")).output)
    lead, jo = "lead@trust.nhs.uk", "jo@trust.nhs.uk"
    assert [(v["version"], v["status"], v["changed_by"]) for v in history] == [
        (1, "open", lead), (2, "in progress", lead), (3, "done", jo)]  # fmt: skip
    assert json.loads(ok(pxr("action", "list", "--all", "--owner", "JO@trust.nhs.uk", "--json")).output)[0]["id"] == 1
    ok(pxr("audit", "verify"))


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--sub", "24Z", "--title", "x"], "not a sub-requirement"),
        (["--sub", "3A", "--title", "x", "--due", "31/02/2027"], "--due"),
        (["--sub", "3A"], "--from-self-assessment"),
    ],
)
def test_bad_actions_refused(pxr: Callable[..., Any], args: list[str], why: str) -> None:
    result = pxr("action", "add", "--org", "RX1", *args)
    assert result.exit_code == 1 and why in result.output
    assert json.loads(ok(pxr("action", "list", "--all", "--json")).output) == []


def test_bad_status_refused(pxr: Callable[..., Any]) -> None:
    ok(pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "x"))
    result = pxr("action", "update", "1", "--status", "finished")
    assert result.exit_code == 1 and "open, in progress, done" in result.output
    assert pxr("action", "update", "9", "--status", "done").exit_code == 1


def test_actions_from_self_assessment(pxr: Callable[..., Any], tmp_path: Path) -> None:
    import csv
    import io

    from pxrules.board.selfassess_file import layout

    template = tmp_path / "board.csv"
    ok(pxr("self-assess", "template", "--org", "RX1", "-o", str(template)))
    parsed = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    headings = {c.key: c.header for c in layout()}
    at_header = next(i for i, row in enumerate(parsed) if headings["id"] in row)
    at = {key: parsed[at_header].index(h) for key, h in headings.items() if h in parsed[at_header]}
    for row in parsed[at_header + 1 :]:
        if row and row[at["id"]] == "3A":
            row[at["planned_action"]] = "Patient story actions tracked to completion"
            row[at["owner"]] = "jo@trust.nhs.uk"
            row[at["review_date"]] = "31/03/2027"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(parsed)
    template.write_text(out.getvalue(), encoding="utf-8")
    ok(pxr("self-assess", "import", str(template), "--org", "RX1", "--as-of", "31/03/2026"))
    added = json.loads(ok(pxr("action", "add", "--org", "RX1", "--from-self-assessment", "--json")).output)
    assert [(a["sub_requirement"], a["owner"], a["due_date"]) for a in added] == [
        ("3A", "jo@trust.nhs.uk", "2027-03-31")]  # fmt: skip
    again = json.loads(ok(pxr("action", "add", "--org", "RX1", "--from-self-assessment", "--json")).output)
    assert again == []


def test_evidence_owner_and_due_by_owner(pxr: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "board.yaml").write_text(BOARD, encoding="utf-8")
    ok(pxr("evidence", "import", str(tmp_path / "board.yaml")))
    before = json.loads(ok(pxr("evidence", "show", "bm-1", "--json")).output)
    ok(pxr("evidence", "owner", "bm-1", "--owner", "jo@trust.nhs.uk", "--review", "01/02/2027"))
    after = json.loads(ok(pxr("evidence", "show", "bm-1", "--json")).output)
    assert after["content_hash"] == before["content_hash"] and after["version"] == 1  # the item is untouched
    assert (before["owner"], before["review_date"]) == (None, None)
    assert (after["owner"], after["review_date"]) == ("jo@trust.nhs.uk", "2027-02-01")
    shown = ok(pxr("evidence", "show", "bm-1")).output
    assert "owner:         jo@trust.nhs.uk" in shown and "review by:     01/02/2027" in shown
    due = json.loads(ok(pxr("evidence", "due", "--org", "RX1", "--as-of", "07/12/2026", "--within", "90",
                            "--json")).output)  # fmt: skip
    assert due["reviews"][0]["owner"] == "jo@trust.nhs.uk"
    assert due["by_owner"]["jo@trust.nhs.uk"] == ["bm-1"]
    assert pxr("evidence", "owner", "nope", "--owner", "x@y.z").exit_code == 1
    ok(pxr("audit", "verify"))


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; messages kept on the server."""

    def handle(self) -> None:
        self.wfile.write(b"220 localhost test SMTP\r\n")
        envelope: dict[str, Any] = {"to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.wfile.write(b"250 localhost\r\n")
            elif verb == "MAIL":
                envelope = {"from": command[10:], "to": []}
                self.wfile.write(b"250 OK\r\n")
            elif verb == "RCPT":
                envelope["to"].append(command[8:])
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append({**envelope, "message": message_from_bytes(body)})  # type: ignore[attr-defined]
                self.wfile.write(b"250 OK queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_remind_prints_and_sends_one_message_per_owner(
    pxr: Callable[..., Any], tmp_path: Path, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "board.yaml").write_text(BOARD, encoding="utf-8")
    ok(pxr("evidence", "import", str(tmp_path / "board.yaml")))
    ok(pxr("evidence", "owner", "bm-1", "--owner", "jo@trust.nhs.uk", "--review", "20/12/2026"))
    ok(pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "Track story actions",
           "--owner", "jo@trust.nhs.uk", "--due", "01/12/2026"))  # fmt: skip
    ok(pxr("action", "add", "--org", "RX1", "--sub", "12C", "--title", "FFT kiosks",
           "--owner", "sam@trust.nhs.uk", "--due", "02/01/2027"))  # fmt: skip
    ok(pxr("action", "add", "--org", "RX1", "--sub", "1A", "--title", "Later", "--owner", "sam@trust.nhs.uk",
           "--due", "01/06/2027"))  # fmt: skip
    printed = ok(pxr("remind", "--within", "30", "--as-of", "07/12/2026")).output
    assert "=== To: jo@trust.nhs.uk" in printed and "Overdue actions:" in printed and "Later" not in printed
    host, port = smtp_server.server_address
    config = tmp_path / "smtp.toml"
    config.write_text(f'[smtp]\nhost = "{host}"\nport = {port}\nfrom = "pxrules@trust.nhs.uk"\n', encoding="utf-8")
    sent = json.loads(ok(pxr("remind", "--within", "30", "--as-of", "07/12/2026", "--send", "--smtp-config",
                             str(config), "--json")).output)  # fmt: skip
    assert sorted(sent["sent"]) == ["jo@trust.nhs.uk", "sam@trust.nhs.uk"]
    by_to = {m["message"]["To"]: m["message"] for m in smtp_server.messages}
    assert set(by_to) == {"jo@trust.nhs.uk", "sam@trust.nhs.uk"}
    jo = by_to["jo@trust.nhs.uk"].get_payload(decode=True).decode()
    assert "bm-1" in jo and "20/12/2026" in jo and "Track story actions" in jo and "FFT kiosks" not in jo
    assert by_to["jo@trust.nhs.uk"]["From"] == "pxrules@trust.nhs.uk"
    monkeypatch.delenv("PXRULES_SMTP_HOST", raising=False)
    monkeypatch.delenv("PXRULES_SMTP_CONFIG", raising=False)
    unconfigured = pxr("remind", "--send", "--as-of", "07/12/2026")
    assert unconfigured.exit_code == 1 and "no SMTP server configured" in unconfigured.output
    monkeypatch.setenv("PXRULES_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PXRULES_SMTP_PORT", "1")  # nothing listens there
    monkeypatch.setenv("PXRULES_SMTP_FROM", "pxrules@trust.nhs.uk")
    down = pxr("remind", "--send", "--as-of", "07/12/2026")
    assert down.exit_code == 1 and "SMTP 127.0.0.1:1" in down.output
