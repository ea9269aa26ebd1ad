"""Exported audit bundles: signed off on export, verified later without the database, tampering caught."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from audit_support import cli, populate, tamper

from pxrules.audit.bundle import verify_bundle
from pxrules.common.canonical import content_hash
from pxrules.errors import AuditError


@pytest.fixture
def bundle(db_url: str, tmp_path: Path) -> Path:
    populate(db_url)
    target = tmp_path / "audit-bundle.json"
    done = cli(db_url, "audit", "export", str(target), "--json", by="auditor")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert (summary["events"], summary["rows"], summary["head"]["seq"]) == (12, 10, 12), summary
    return target


def _offline(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    # A database URL that does not exist: verifying a bundle must never need one.
    result = cli(f"sqlite:///{path.parent / 'no-such.db'}", "audit", "verify", "--bundle", str(path), "--json",
                 *extra)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {"output": result.output}


def _resign(data: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in data.items() if k != "sign_off"}
    data["sign_off"]["bundle_sha256"] = content_hash(body)
    return data


def _rewrite(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_bundle_verifies_offline_and_holds_what_it_covers(bundle: Path) -> None:
    assert not (bundle.parent / "no-such.db").exists()
    code, report = _offline(bundle)
    assert code == 0 and report["ok"] and report["events"] == 12, report
    data = json.loads(bundle.read_text(encoding="utf-8"))
    assert data["sign_off"]["by"] == "auditor" and data["sign_off"]["head_hash"] == data["head"]["hash"]
    assert [r["evidence_id"] for r in data["rows"]["evidence"]] == ["fft-1", "fft-2", "bm-ae", "fft-1", "fft-3"]
    assert [s["sub_requirement"] for s in data["rows"]["assessment"][0]["scores"]] == ["1A", "1B", "2A"]
    assert not (bundle.parent / "no-such.db").exists()
    text = cli("sqlite:///unused.db", "audit", "verify", "--bundle", str(bundle))
    assert text.exit_code == 0 and "bundle audit-bundle.json verified: 12 event(s)" in text.output, text.output


def test_the_head_recorded_at_export_is_checked(bundle: Path) -> None:
    head = json.loads(bundle.read_text(encoding="utf-8"))["head"]["hash"]
    assert _offline(bundle, "--head", head)[0] == 0
    code, report = _offline(bundle, "--head", "0" * 64)
    assert code == 1 and "no longer contains the head" in report["problems"][0]["message"], report


def test_an_edit_without_re_signing_breaks_the_sign_off(bundle: Path) -> None:
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["exported_by"] = "mallory"
    _rewrite(bundle, data)
    code, report = _offline(bundle)
    assert code == 1 and "changed after it was signed off" in report["problems"][0]["message"], report


def test_an_edited_row_is_caught_even_when_re_signed(bundle: Path) -> None:
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["rows"]["assessment"][0]["scores"][0]["suggested"] = 5
    _rewrite(bundle, _resign(data))
    code, report = _offline(bundle)
    assessment_event = next(e["seq"] for e in data["events"] if e["action"] == "assessment.save")
    assert code == 1 and report["first_broken_event"] == assessment_event, report


@pytest.mark.parametrize("change", ["drop_event", "swap_events", "drop_row", "edit_event"])
def test_re_signed_structural_edits_are_caught(bundle: Path, change: str) -> None:
    data = json.loads(bundle.read_text(encoding="utf-8"))
    events = data["events"]
    if change == "drop_event":
        del events[4]
    elif change == "swap_events":
        events[3], events[4] = events[4], events[3]
    elif change == "drop_row":
        data["rows"]["organisation"].pop()
    else:
        events[2]["actor"] = "mallory"
    _rewrite(bundle, _resign(data))
    code, report = _offline(bundle)
    assert code == 1 and report["problems"], report


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"format": "other"}', 'no "format"'),
        (b'{"format": "pxrules-audit-bundle", "format_version": 9}', "format_version 9"),
        (b'{"format": "pxrules-audit-bundle", "format_version": 1, "events": 3}', "`events` is not a list"),
        (b"\xff\xfe\x00", "not JSON"),
    ],
)
def test_unreadable_bundles_give_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(AuditError, match="not a readable pxrules audit bundle"):
        verify_bundle(path)
    result = cli("sqlite:///unused.db", "audit", "verify", "--bundle", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    missing = cli("sqlite:///unused.db", "audit", "verify", "--bundle", str(tmp_path / "none.json"))
    assert missing.exit_code == 1 and "no such bundle" in missing.output


def test_export_refuses_to_sign_off_a_broken_store(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    tamper(db_url, "UPDATE organisation SET name = 'Renamed' WHERE code = 'RX1'")
    result = cli(db_url, "audit", "export", str(tmp_path / "b.json"))
    assert result.exit_code == 1 and "does not verify" in result.output, result.output
    assert not (tmp_path / "b.json").exists()
    folder = cli(db_url, "audit", "export", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.output
