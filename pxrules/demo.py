"""`pxrules demo`: a fresh store with the fictional trust's evidence, board self-assessments and four
assessments, a real trust's published complaints alongside, and the board report - in one go.

The demo trust ZZ9 is invented ("Fictional Valley Hospitals NHS Trust (demo, not a real trust)"); the real
trust's figures come from the shipped KO41a 2024-25 publication, when the importers are installed.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxrules.errors import PxRulesError

DEMO_ORG = "ZZ9"
DEMO_NAME = "Fictional Valley Hospitals NHS Trust (demo, not a real trust)"
DEMO_TYPE = "acute"
DEMO_DATES = (dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30))
DB_NAME = "pxrules-demo.db"
REPORT_NAME = f"{DEMO_ORG}-board-report.html"
BY = "pxrules demo"
_SELF_FILE = re.compile(rf"^{DEMO_ORG}-(\d{{4}}-\d{{2}}-\d{{2}})\.csv$")


@dataclass
class DemoResult:
    """What the demo built and the numbers it prints."""

    folder: Path
    url: str
    report: Path
    evidence: int
    self_assessments: list[str]
    assessments: list[str]
    sections: list[dict[str, Any]]
    flags: dict[str, int]
    scores: dict[str, int]
    trend: dict[str, Any]
    complaints: dict[str, Any] | None
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    account: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": DEMO_ORG,
            "folder": str(self.folder),
            "database": self.url,
            "report": str(self.report),
            "report_bytes": self.report.stat().st_size,
            "evidence_items": self.evidence,
            "self_assessments": self.self_assessments,
            "assessments": self.assessments,
            "sections": self.sections,
            "flags": self.flags,
            "scores": self.scores,
            "trend": self.trend,
            "complaints_alongside": self.complaints,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 2),
            "account": self.account,
        }


def default_folder(now: dt.datetime | None = None) -> Path:
    """./pxrules-demo-<timestamp> in the working directory."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"pxrules-demo-{stamp}"


def _folder(folder: Path | None) -> Path:
    folder = Path(folder) if folder is not None else default_folder()
    if (folder / DB_NAME).exists():
        raise PxRulesError(
            f"{folder / DB_NAME} already exists: the demo builds a fresh store; "
            "give another --dir or remove it"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PxRulesError(f"cannot create {folder}: {exc.strerror or exc}") from exc
    return folder.resolve()


def _self_files(root: Path) -> list[tuple[dt.date, Path]]:
    found = []
    for path in sorted((root / "self-assessments").glob(f"{DEMO_ORG}-*.csv")):
        match = _SELF_FILE.match(path.name)
        if match:
            found.append((dt.date.fromisoformat(match.group(1)), path))
    return found


def _share(upheld: int | None, resolved: int | None) -> float | None:
    return round(upheld / resolved, 4) if upheld is not None and resolved else None


def _complaints_alongside(url: str, demo_items: list[Any]) -> dict[str, Any]:
    """Import the published KO41a figures of the real acute trust nearest the demo trust in size."""
    from pxrules.evidence.complaints import ComplaintsPeriod
    from pxrules.evidence.feedback import Benchmark
    from pxrules.importers import import_ko41a, read_ko41a, shipped_file
    from pxrules.importers.ko41a import SHIPPED

    published = read_ko41a(shipped_file(SHIPPED))
    year = published.period[:4]
    ours = next(
        i
        for i in demo_items
        if isinstance(i, ComplaintsPeriod)
        and i.source_type == "ko41a"
        and i.period_start.isoformat()[:4] == year
    )
    acute = [
        (code, item)
        for code, items in published.org_items.items()
        for item in items[:1]
        if isinstance(item, ComplaintsPeriod)
        and code in published.orgs
        and published.orgs[code].type == DEMO_TYPE
    ]
    code, theirs = min(acute, key=lambda p: (abs((p[1].received or 0) - (ours.received or 0)), p[0]))
    import_ko41a(url, published.file.path, orgs=[code], register_orgs=True, by=BY)
    peer = next(
        (
            b
            for b in published.benchmarks
            if isinstance(b, Benchmark) and b.measure == f"ko41a.upheld_share.{DEMO_TYPE}"
        ),
        None,
    )
    return {
        "year": published.period,
        "demo": {
            "code": DEMO_ORG,
            "received": ours.received,
            "upheld_share": _share(ours.upheld, ours.resolved),
        },
        "real": {
            "code": code,
            "name": published.orgs[code].name,
            "received": theirs.received,
            "upheld_share": _share(theirs.upheld, theirs.resolved),
        },
        "peer_upheld_share": None if peer is None else round(peer.value, 4),
        "source": published.file.name,
    }


def run_demo(folder: Path | None = None) -> DemoResult:
    """Build the demo store and report in `folder` (default ./pxrules-demo-<timestamp>)."""
    from pxrules.board.selfassess import import_self_assessment
    from pxrules.evidence.io import read_evidence_sources
    from pxrules.paths import examples_dir
    from pxrules.reports.html import write_html
    from pxrules.reports.model import build_report
    from pxrules.scoring.stored import run_assessment
    from pxrules.store.db import init_db, unit_of_work
    from pxrules.store.repo import add_org, store_evidence

    started = time.perf_counter()
    root = examples_dir() / "demo"
    folder = _folder(folder)
    url = f"sqlite:///{folder / DB_NAME}"
    init_db(url)
    sourced = read_evidence_sources(sorted((root / "evidence").glob("*.yaml")))
    with unit_of_work(url) as session:
        add_org(DEMO_ORG, DEMO_NAME, DEMO_TYPE, session=session, by=BY)
        store_evidence(
            [s.item for s in sourced],
            session=session,
            by=BY,
            import_file={s.item.id: s.file for s in sourced},
        )
    skipped: list[str] = []
    complaints = None
    try:
        complaints = _complaints_alongside(url, [s.item for s in sourced])
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("pxrules.importers"):
            raise
        skipped.append("real trust complaints alongside: pxrules.importers.ko41a is not installed")
    selfs = []
    for day, path in _self_files(root):
        import_self_assessment(url, path, DEMO_ORG, as_of=day, by=BY)
        selfs.append(day.isoformat())
    for day in DEMO_DATES:
        run_assessment(url, DEMO_ORG, day, by=BY)
    model = build_report(url, DEMO_ORG)
    report = write_html(model, folder / REPORT_NAME)
    account = _demo_account(url)
    result, history = model.comparison, model.trend.to_json()
    return DemoResult(
        folder=folder,
        url=url,
        report=report,
        evidence=len(sourced),
        self_assessments=selfs,
        assessments=[d.isoformat() for d in DEMO_DATES],
        sections=[g.to_json() for g in result.sections],
        flags=dict(result.overall.flags),
        scores={row.id: row.suggested for row in result.rows},
        trend={
            "dates": [a["as_of"] for a in history["assessments"]],
            "overall": history["overall"],
            "improvements": len(history["improvements"]),
            "deteriorations": len(history["deteriorations"]),
        },
        complaints=complaints,
        skipped=skipped,
        seconds=time.perf_counter() - started,
        account=account,
    )


DEMO_EMAIL = "demo@pxrules.example"


def _demo_account(url: str) -> dict[str, str] | None:
    """An administrator account to open the demo in a browser (`pxrules serve`), when the web extra is
    installed; its password is random, made for this demo store and printed once."""
    from pxrules.accounts.passwords import available

    if not available():
        return None
    import secrets

    from pxrules.accounts.users import add_user
    from pxrules.store.db import unit_of_work

    password = secrets.token_urlsafe(12)
    with unit_of_work(url) as session:
        add_user(session, DEMO_EMAIL, name="Demo administrator", role="admin", orgs=[], password=password, by=BY)
    return {"email": DEMO_EMAIL, "password": password}
