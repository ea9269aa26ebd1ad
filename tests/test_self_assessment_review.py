"""The board's self-assessment written together and reviewed: saves merge field by field and a conflict is
reported, never overwritten; submit, return and sign-off follow their order; the submitter cannot sign; a
signed version is frozen into a stored self-assessment whose hash the sign-off records; a change is a new
version; every step is audited and `audit verify` holds."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.board import review
from pxrules.errors import NotFoundError, PxRulesError, StoreError
from pxrules.store.db import unit_of_work
from pxrules.store.repo import add_org

LEAD, OTHER_LEAD, EXEC = "lead@trust.nhs.uk", "deputy@trust.nhs.uk", "ceo@trust.nhs.uk"
DAY = dt.date(2026, 9, 30)


@pytest.fixture
def url(db_url: str) -> str:
    from pxrules.scoring.stored import run_assessment

    with unit_of_work(db_url) as session:
        add_org("RX1", "Test Hospitals NHS Trust", "acute", session=session, by="test")
    run_assessment(db_url, "RX1", DAY, by="test")
    return db_url


def _start(url: str, hide: bool = True) -> Any:
    return review.start(url, "RX1", by=LEAD, by_name="Lena Lead", as_of=DAY, hide_suggestions=hide)


def test_a_new_version_has_every_sub_requirement_blank_and_hides_suggestions(url: str) -> None:
    record = _start(url)
    assert [line.sub_requirement for line in record.rows][:3] == ["1A", "1B", "1C"]
    assert len(record.rows) == 57 and record.scored == 0
    assert record.suggestions_hidden and record.editable and record.version == 1
    assert [s.step for s in record.steps] == ["created"]
    with pytest.raises(StoreError, match="already has a self-assessment in progress"):
        _start(url)


def test_saves_merge_field_by_field_and_a_conflict_keeps_both(url: str) -> None:
    record = _start(url)
    base = record.line("3A").values()
    first = review.save(url, "RX1", record.id, "3A", base=base, mine={**base, "score": 3}, by=LEAD)
    assert first.saved == ("score",) and first.line.revision == 1 and not first.conflicts
    # A second editor who loaded the line before the first save changes another field: both kept.
    second = review.save(url, "RX1", record.id, "3A", base=base,
                         mine={**base, "planned_action": "Patient story at every board"}, by=OTHER_LEAD)
    assert second.saved == ("planned_action",) and second.line.score == 3
    # ... and the same field to something else: a conflict, nothing written.
    third = review.save(url, "RX1", record.id, "3A", base=base, mine={**base, "score": 4}, by=OTHER_LEAD)
    assert third.saved == () and third.conflicts == {"score": (4, 3)}
    assert review.draft(url, "RX1", record.id).line("3A").score == 3
    # "Keep mine": the conflicted field's base becomes what is stored now; the other fields keep theirs.
    fourth = review.save(url, "RX1", record.id, "3A", base={**base, "score": 3}, mine={**base, "score": 4},
                         by=OTHER_LEAD)
    assert fourth.saved == ("score",) and fourth.line.score == 4 and fourth.line.changed_by == OTHER_LEAD
    assert fourth.line.planned_action == "Patient story at every board"


@pytest.mark.parametrize("values, field", [({"score": 6}, "score"), ({"score": -1}, "score"),
                                           ({"owner": "a\nb"}, "owner"), ({"current_position": "x" * 5001},
                                                                          "current_position")])  # fmt: skip
def test_bad_values_are_refused_naming_the_field(url: str, values: dict[str, Any], field: str) -> None:
    record = _start(url)
    with pytest.raises(PxRulesError, match=field):
        review.save(url, "RX1", record.id, "1A", base={}, mine=values, by=LEAD)


def test_review_order_separation_of_duties_and_frozen_record(url: str) -> None:
    record = _start(url)
    for sub in ("1A", "3A"):
        review.save(url, "RX1", record.id, sub, base={}, mine={"score": 2, "owner": "Chief Nurse"}, by=LEAD)
    review.save(url, "RX1", record.id, "1A", base={}, by=LEAD,
                mine={"planned_action": "Co-produce the strategy", "review_date": dt.date(2027, 3, 31)})
    with pytest.raises(StoreError, match="only a submitted"):
        review.sign_off(url, "RX1", record.id, by=EXEC, by_name="Carol Exec")
    submitted = review.submit(url, "RX1", record.id, by=LEAD, by_name="Lena Lead")
    assert submitted.status == "submitted" and not submitted.editable
    with pytest.raises(StoreError, match="submitted: it can no longer be changed"):
        review.save(url, "RX1", record.id, "1A", base={}, mine={"score": 5}, by=LEAD)
    with pytest.raises(StoreError, match="comment"):
        review.send_back(url, "RX1", record.id, by=EXEC, by_name="Carol Exec", comment="  ")
    returned = review.send_back(url, "RX1", record.id, by=EXEC, by_name="Carol Exec", comment="Evidence for 3A?")
    assert returned.status == "returned" and returned.last("returned").comment == "Evidence for 3A?"  # type: ignore[union-attr]
    review.save(url, "RX1", record.id, "3A", base={}, mine={"score": 1}, by=LEAD)
    review.submit(url, "RX1", record.id, by=LEAD, by_name="Lena Lead")
    with pytest.raises(StoreError, match="another executive"):
        review.sign_off(url, "RX1", record.id, by=LEAD.upper(), by_name="Lena Lead")
    signed = review.sign_off(url, "RX1", record.id, by=EXEC, by_name="Carol Exec")
    step = signed.last("signed")
    assert signed.status == "signed" and step is not None and signed.self_assessment_id == step.self_assessment_id
    with unit_of_work(url) as session:
        from pxrules.store.drafts import sign_off_of
        from pxrules.store.self_assessments import get_self_assessment

        stored = get_self_assessment(step.self_assessment_id or 0, session=session)
        assert sign_off_of(stored.id, session=session) == step
    assert stored.content_hash == step.content_hash and len(step.content_hash) == 64
    assert {r.sub_requirement: r.score for r in stored.rows if r.score is not None} == {"1A": 2, "3A": 1}
    with pytest.raises(StoreError, match="signed"):
        review.save(url, "RX1", record.id, "1A", base={}, mine={"score": 5}, by=LEAD)
    # A later change is a new version, starting from the signed lines.
    again = _start(url, hide=False)
    assert again.version == 2 and again.based_on == stored.id and again.line("3A").score == 1
    assert [s.step for s in signed.steps] == ["created", "revealed", "submitted", "returned", "submitted", "signed"]
    result = CliRunner().invoke(app, ["--db", url, "audit", "verify"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(app, ["--db", url, "self-assess", "list", "--org", "RX1", "--json"])
    assert listed.exit_code == 0, listed.output
    [entry] = json.loads(listed.output)
    assert entry["signed_off"]["content_hash"] == stored.content_hash and entry["signed_off"]["by"] == EXEC
    # The signed planned action is now tracked, owned and due at its review date.
    actions = json.loads(CliRunner().invoke(app, ["--db", url, "action", "list", "--org", "RX1", "--json"]).output)
    assert [(a["sub_requirement"], a["title"], a["owner"], a["due_date"]) for a in actions] == [
        ("1A", "Co-produce the strategy", "Chief Nurse", "2027-03-31")]


def test_reveal_is_recorded_once_and_comparison_uses_the_drafts_scores(url: str) -> None:
    record = _start(url)
    review.save(url, "RX1", record.id, "1A", base={}, mine={"score": 5}, by=LEAD)
    shown = review.reveal(url, "RX1", record.id, by=LEAD, by_name="Lena Lead")
    assert not shown.suggestions_hidden and [s.step for s in shown.steps] == ["created", "revealed"]
    assert review.reveal(url, "RX1", record.id, by=LEAD, by_name="Lena Lead").steps == shown.steps
    comparison = review.draft_comparison(url, shown)
    assert comparison is not None
    row = comparison.row("1A")
    assert row.self_score == 5 and row.flag == "not evidenced"  # nothing recorded: never an over-claim


def test_another_organisations_version_is_not_found(url: str) -> None:
    record = _start(url)
    with unit_of_work(url) as session:
        add_org("RX2", "Other NHS Trust", "acute", session=session, by="test")
    with pytest.raises(NotFoundError):
        review.draft(url, "RX2", record.id)
    with pytest.raises(NotFoundError):
        review.save(url, "RX2", record.id, "1A", base={}, mine={"score": 1}, by=LEAD)


def test_every_report_format_names_the_sign_off_and_its_hash(url: str, tmp_path: Any) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from pxrules.reports import write_report

    record = _start(url)
    review.save(url, "RX1", record.id, "1A", base={}, mine={"score": 2}, by=LEAD)
    review.submit(url, "RX1", record.id, by=LEAD, by_name="Lena Lead")
    digest = review.sign_off(url, "RX1", record.id, by=EXEC, by_name="Carol Exec").steps[-1].content_hash
    texts = {}
    for fmt in ("html", "md", "xlsx", "docx"):
        path = write_report(url, "RX1", fmt, tmp_path / f"paper.{fmt}")
        if fmt == "xlsx":
            book = load_workbook(path)
            texts[fmt] = " ".join(str(c.value) for ws in book for r in ws.iter_rows() for c in r if c.value)
        elif fmt == "docx":
            document = Document(str(path))
            cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
            texts[fmt] = " ".join([p.text for p in document.paragraphs] + cells)
        else:
            texts[fmt] = path.read_text(encoding="utf-8")
    for fmt, text in texts.items():
        assert "signed off by Carol Exec (ceo@trust.nhs.uk)" in text and digest in text, fmt


def test_an_owner_named_by_email_must_have_an_account_here(url: str) -> None:
    from pxrules.accounts.users import add_user, change_user

    with unit_of_work(url) as session:
        add_user(session, "nurse@trust.nhs.uk", name="Nina Nurse", role="viewer", orgs=["RX1"], password="x" * 16,
                 by="test")  # fmt: skip
    record = _start(url)
    with pytest.raises(PxRulesError, match="has no account here"):
        review.save(url, "RX1", record.id, "1A", base={}, mine={"owner": "nobody@trust.nhs.uk"}, by=LEAD)
    saved = review.save(url, "RX1", record.id, "1A", base={}, mine={"owner": "NURSE@trust.nhs.uk"}, by=LEAD)
    assert saved.line.owner == "nurse@trust.nhs.uk"
    review.save(url, "RX1", record.id, "3A", base={}, mine={"owner": "Director of Nursing"}, by=LEAD)
    # An account disabled after its line was saved holds up the submission, naming the line.
    with unit_of_work(url) as session:
        change_user(session, "nurse@trust.nhs.uk", by="test", disabled=True)
    with pytest.raises(StoreError, match=r"1A: owner 'nurse@trust\.nhs\.uk' is disabled"):
        review.submit(url, "RX1", record.id, by=LEAD, by_name="Lena Lead")


def test_simultaneous_saves_of_one_field_from_one_page_save_once_and_report_the_rest(url: str) -> None:
    import threading

    record = _start(url)
    base = record.line("3A").values()
    results: list[Any] = []
    gate = threading.Barrier(6)

    def edit(n: int) -> None:
        gate.wait()
        results.append(review.save(url, "RX1", record.id, "3A", base=base, mine={**base, "planned_action": f"v{n}"},
                                   by=f"editor{n}@trust.nhs.uk"))  # fmt: skip

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = [r for r in results if r.saved]
    assert len(results) == 6 and len(saved) == 1
    assert all(set(r.conflicts) == {"planned_action"} for r in results if not r.saved)
    line = review.draft(url, "RX1", record.id).line("3A")
    assert line.revision == 1 and line.planned_action == saved[0].line.planned_action


def test_carried_over_text_is_as_a_form_sends_it_so_an_edit_is_not_a_false_conflict(url: str) -> None:
    from pxrules.store.self_assessments import save_self_assessment

    with unit_of_work(url) as session:
        save_self_assessment(session=session, org="RX1", as_of=DAY, source_file="tool.xlsx", source_sha256="0" * 64,
                             by="test", rows=[{"sub_requirement": "3A", "score": 2,
                                               "current_position": "  Stories at board\r\nmonthly  "}])  # fmt: skip
    record = review.start(url, "RX1", by=LEAD, by_name="Lena Lead", as_of=DAY, hide_suggestions=False)
    line = record.line("3A")
    assert line.current_position == "Stories at board\nmonthly" and line.score == 2
    base = {**line.values(), "current_position": "Stories at board\nmonthly"}  # as the browser sends it back
    saved = review.save(url, "RX1", record.id, "3A", base=base, mine={**base, "current_position": "Every month"},
                        by=LEAD)  # fmt: skip
    assert saved.saved == ("current_position",) and not saved.conflicts
