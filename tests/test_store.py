"""The store: engines and schema, the unit of work, organisations, the append-only evidence register."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from pxrules.errors import EvidenceError, NotFoundError, StoreError
from pxrules.evidence import parse_evidence
from pxrules.store import repo
from pxrules.store.db import (
    current_revision,
    init_db,
    make_engine,
    resolve_url,
    schema_heads,
    unit_of_work,
)

ROOT = Path(__file__).resolve().parent.parent
TABLES = {
    "organisation",
    "evidence",
    "assessment",
    "assessment_score",
    "self_assessment",
    "self_assessment_row",
    "evidence_withdrawal",
    "audit_event",
    "audit_head",
    "pxrules_meta",
    "app_user",
    "user_password",
    "self_assessment_draft",
    "self_assessment_draft_row",
    "self_assessment_review",
    "api_token",
    "api_token_revocation",
    "web_session",
    "attachment",
    "attachment_blob",
    "action",
    "evidence_owner",
}


def fft(id_: str = "fft-1", org: str | None = "RX1", **extra: Any) -> Any:
    data = {
        "kind": "fft_monthly",
        "id": id_,
        "org": org,
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "source": {"title": "FFT"},
        "setting": "ae",
        "responses": 10,
        "eligible": 100,
        **extra,
    }
    return parse_evidence(data)


def benchmark(id_: str = "bm-ae") -> Any:
    return parse_evidence(
        {
            "kind": "benchmark",
            "id": id_,
            "period_start": "2025-01-01",
            "source": {"title": "NHSE"},
            "measure": "fft.response_rate.ae",
            "value": 12.5,
        }
    )


@pytest.fixture
def org_url(db_url: str) -> str:
    with unit_of_work(db_url) as session:
        repo.add_org("RX1", "Test Trust", "acute", session=session, by="tester")
        repo.add_org("RX2", "Other Trust", "community", session=session, by="tester")
    return db_url


# --- db ------------------------------------------------------------------------------------------------


def test_resolve_url_prefers_argument_then_env_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PXRULES_DB", raising=False)
    assert resolve_url(None) == "sqlite:///pxrules.db"
    monkeypatch.setenv("PXRULES_DB", "sqlite:///env.db")
    assert resolve_url(None) == "sqlite:///env.db"
    assert resolve_url("sqlite:///arg.db") == "sqlite:///arg.db"


def test_make_engine_is_cached_lazy_and_normalises_postgres(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lazy.db'}"
    assert make_engine(url) is make_engine(url)
    assert not (tmp_path / "lazy.db").exists(), "make_engine must not connect"
    pg = make_engine("postgresql://user:secret@localhost/px")
    assert pg.url.drivername == "postgresql+psycopg"


def test_sqlite_pragmas_are_set_on_every_connection(db_url: str) -> None:
    if make_engine(db_url).dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with make_engine(db_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_uninitialised_store_gives_a_clear_error_and_creates_no_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    with pytest.raises(StoreError, match=r"database not initialised: run `pxrules init`"), unit_of_work(url):
        pass
    assert not (tmp_path / "missing.db").exists()


def test_empty_database_without_alembic_version_is_not_initialised(store_url: str) -> None:
    with make_engine(store_url).begin() as connection:
        connection.execute(text("CREATE TABLE unrelated (x INTEGER)"))
    with pytest.raises(StoreError, match="not initialised"), unit_of_work(store_url):
        pass


def test_init_creates_exactly_the_tables_and_is_idempotent(store_url: str) -> None:
    assert current_revision(store_url) is None
    assert init_db(store_url) == schema_heads()[0]
    assert init_db(store_url) == schema_heads()[0]
    assert schema_heads() == ("0008",)
    names = set(inspect(make_engine(store_url)).get_table_names())
    assert names == TABLES | {"alembic_version"}


def test_schema_heads_agree_with_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "alembic.ini"))
    assert schema_heads() == tuple(ScriptDirectory.from_config(config).get_heads())


def test_outdated_schema_is_reported(db_url: str) -> None:
    with make_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    with pytest.raises(StoreError, match=r"revision 0002 .* run `pxrules init`"), unit_of_work(db_url):
        pass


def test_alembic_cli_upgrade_and_check_from_the_repo_root(store_url: str) -> None:
    for command in (["upgrade", "head"], ["check"]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "alembic",
                "-c",
                str(ROOT / "alembic.ini"),
                "-x",
                f"url={store_url}",
                *command,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert current_revision(store_url) == schema_heads()[0]


def test_unit_of_work_rolls_back_on_any_exception(
    db_url: str, table_counts: Callable[[str], dict[str, int]]
) -> None:
    before = table_counts(db_url)
    with pytest.raises(RuntimeError), unit_of_work(db_url) as session:
        repo.add_org("RX9", "Gone Trust", "acute", session=session, by="t")
        raise RuntimeError("boom")
    assert table_counts(db_url) == before


def test_database_errors_become_store_errors(db_url: str) -> None:
    with pytest.raises(StoreError, match="database error"), unit_of_work(db_url) as session:
        session.execute(text("INSERT INTO evidence_nope VALUES (1)"))


# --- organisations -------------------------------------------------------------------------------------


def test_orgs_add_get_list_and_errors(org_url: str) -> None:
    with unit_of_work(org_url) as session:
        assert [o.code for o in repo.list_orgs(session=session)] == ["RX1", "RX2"]
        org = repo.get_org("RX1", session=session)
        assert (org.name, org.type, org.created_by) == ("Test Trust", "acute", "tester")
        assert org.created_at.tzinfo is not None and org.created_at.utcoffset() == dt.timedelta(0)
        with pytest.raises(NotFoundError, match=r"unknown organisation 'RX3' \(did you mean RX1, RX2"):
            repo.get_org("RX3", session=session)
        with pytest.raises(StoreError, match="already exists"):
            repo.add_org("RX1", "Again", "acute", session=session, by="t")
        with pytest.raises(StoreError, match="not an ODS code"):
            repo.add_org("rx1", "Lower", "acute", session=session, by="t")
        with pytest.raises(StoreError, match="type 'hospital' is not one of"):
            repo.add_org("RX5", "Kind", "hospital", session=session, by="t")


# --- evidence ------------------------------------------------------------------------------------------


def test_store_new_unchanged_corrected_and_versions_kept(org_url: str) -> None:
    with unit_of_work(org_url) as session:
        first = repo.store_evidence([fft(), benchmark()], session=session, by="alice", import_file="a.json")
    assert (first.new, first.unchanged, first.corrected, first.ids) == (2, 0, 0, ["fft-1", "bm-ae"])
    assert str(first) == "2 new, 0 unchanged, 0 corrected"
    with unit_of_work(org_url) as session:
        again = repo.store_evidence([fft(), benchmark()], session=session, by="bob")
    assert (again.new, again.unchanged, again.corrected) == (0, 2, 0)

    changed = fft(responses=20)
    with pytest.raises(EvidenceError) as info, unit_of_work(org_url) as session:
        repo.store_evidence([changed], session=session, by="bob")
    assert "duplicate id fft-1 with different content (stored version 1 differs in fields responses)" in str(
        info.value
    )

    with unit_of_work(org_url) as session:
        fixed = repo.store_evidence([changed], session=session, by="bob", correct=True)
        assert (fixed.new, fixed.unchanged, fixed.corrected) == (0, 0, 1)
        history = repo.evidence_history("fft-1", session=session)
        assert [(r.version, r.payload["responses"], r.recorded_by) for r in history] == [
            (1, 10, "alice"),
            (2, 20, "bob"),
        ]
        assert repo.get_evidence("fft-1", session=session).version == 2
        assert repo.get_evidence("fft-1", session=session, version=1).payload["responses"] == 10
        assert history[0].import_file == "a.json" and history[1].import_file is None
        with pytest.raises(NotFoundError, match="has no version 3"):
            repo.get_evidence("fft-1", session=session, version=3)


def test_recording_fields_are_filled_and_stored_in_the_payload(org_url: str) -> None:
    with unit_of_work(org_url) as session:
        repo.store_evidence([fft()], session=session, by="carol")
        record = repo.get_evidence("fft-1", session=session)
    assert record.recorded_by == "carol" and record.payload["recorded_by"] == "carol"
    assert record.recorded_at.tzinfo is not None
    assert abs(record.recorded_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert record.item().recorded_at is not None
    assert record.content_hash == fft().content_hash()


def test_given_recording_fields_are_kept(org_url: str) -> None:
    at = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with unit_of_work(org_url) as session:
        repo.store_evidence([fft(recorded_by="dave", recorded_at=at.isoformat())], session=session, by="x")
        record = repo.get_evidence("fft-1", session=session)
    assert record.recorded_by == "dave"
    assert record.recorded_at == at and record.recorded_at.utcoffset() == dt.timedelta(0)


def test_all_problems_of_a_batch_are_raised_together_and_nothing_is_written(
    org_url: str, table_counts: Callable[[str], dict[str, int]]
) -> None:
    before = table_counts(org_url)
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    batch = [
        fft("ok-1"),
        fft("bad-org", org="RX3"),
        fft("also-bad", org="ZZ9"),
        fft("future", period_start=future, period_end=future),
        fft("ok-1", responses=5),
    ]
    with pytest.raises(EvidenceError) as info, unit_of_work(org_url) as session:
        repo.store_evidence(batch, session=session, by="t")
    message = str(info.value)
    assert "evidence bad-org: unknown organisation 'RX3' (did you mean RX1, RX2?)" in message
    assert "evidence also-bad: unknown organisation 'ZZ9'" in message
    assert "evidence future:" in message and "after it was recorded" in message
    assert "evidence ok-1: given twice in this batch with different content (fields responses)" in message
    assert len(info.value.problems) == 4
    assert table_counts(org_url) == before


def test_list_filters_history_and_load_evidence(org_url: str) -> None:
    items = [
        fft("a"),
        fft("b", org="RX2"),
        benchmark(),
        parse_evidence(
            {
                "kind": "website_check",
                "id": "w",
                "org": "RX1",
                "period_start": "2025-02-01",
                "source": {"title": "site"},
                "page": "complaints",
                "found": False,
                "checked_by": "me",
            }
        ),
    ]
    with unit_of_work(org_url) as session:
        repo.store_evidence(items, session=session, by="t")
        repo.store_evidence([fft("a", responses=1)], session=session, by="t", correct=True)
    with unit_of_work(org_url) as session:
        assert [r.evidence_id for r in repo.list_evidence(session=session)] == ["a", "b", "bm-ae", "w"]
        assert [
            (r.evidence_id, r.version) for r in repo.list_evidence(session=session, include_history=True)
        ] == [("a", 1), ("a", 2), ("b", 1), ("bm-ae", 1), ("w", 1)]
        assert [r.evidence_id for r in repo.list_evidence(session=session, org="RX1")] == ["a", "w"]
        assert [
            r.evidence_id for r in repo.list_evidence(session=session, org="RX1", kind="fft_monthly")
        ] == ["a"]
        assert repo.list_evidence(session=session, kind="benchmark")[0].org is None
        loaded = repo.load_evidence("RX1", session=session)
        assert sorted((i.id, i.kind) for i in loaded) == [
            ("a", "fft_monthly"),
            ("bm-ae", "benchmark"),
            ("w", "website_check"),
        ]
        assert next(i for i in loaded if i.id == "a").responses == 1  # type: ignore[union-attr]
        with pytest.raises(NotFoundError, match="unknown organisation 'RX7'"):
            repo.load_evidence("RX7", session=session)
        with pytest.raises(NotFoundError, match=r"no evidence with id 'bm-a' \(did you mean bm-ae"):
            repo.get_evidence("bm-a", session=session)
        with pytest.raises(NotFoundError):
            repo.evidence_history("nope", session=session)


def test_foreign_keys_are_enforced(org_url: str) -> None:
    with pytest.raises(StoreError), unit_of_work(org_url) as session:
        session.execute(
            text(
                "INSERT INTO evidence (evidence_id, version, org, kind, period_start, period_end,"
                " content_hash, payload, recorded_by, recorded_at)"
                " VALUES ('x', 1, 'NOPE', 'fft_monthly', '2025-01-01', '2025-01-01', 'h', '{}', 't',"
                " '2025-01-01 00:00:00')"
            )
        )


def test_shared_benchmarks_are_parsed_once_and_a_correction_is_seen(org_url: str) -> None:
    with unit_of_work(org_url) as session:
        repo.store_evidence([fft("a"), fft("b", org="RX2"), benchmark()], session=session, by="t")
        first = next(i for i in repo.load_evidence("RX1", session=session) if i.kind == "benchmark")
        other = next(i for i in repo.load_evidence("RX2", session=session) if i.kind == "benchmark")
        assert other is first  # frozen, and loaded with every organisation's evidence: parsed once
        assert next(i for i in repo.load_evidence("RX1", session=session) if i.id == "a") is not next(
            i for i in repo.load_evidence("RX1", session=session) if i.id == "a")  # an organisation's own: fresh
        corrected = parse_evidence({**benchmark().model_dump(mode="json"), "value": 13.0})
        repo.store_evidence([corrected], session=session, by="t", correct=True)
        again = next(i for i in repo.load_evidence("RX2", session=session) if i.kind == "benchmark")
        assert again.value == 13.0 and first.value == 12.5  # type: ignore[union-attr]
