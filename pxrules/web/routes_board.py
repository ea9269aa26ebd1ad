"""The board's view: self-assessment against the evidence, the trend with the report's charts, and the
board report of a chosen assessment to download as HTML, Markdown or XLSX."""

from __future__ import annotations

import tempfile
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pxrules.board.trend import Line
from pxrules.errors import NotFoundError
from pxrules.reports import FORMATS, charts, write_report
from pxrules.store.db import unit_of_work
from pxrules.store.records import list_assessments
from pxrules.web import views
from pxrules.web.auth import Auth, config_of, in_scope, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["board"]
MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def compare_data(request: Request, auth: Auth, code: str) -> dict[str, Any] | None:
    in_scope(request, auth, code)
    return views.comparison(config_of(request).db_url, code)


@router.get("/orgs/{code}/compare", include_in_schema=False)
def compare(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    data = compare_data(request, auth, code)
    org = {"code": code, "name": in_scope(request, auth, code)}
    found = views.comparison_of(config_of(request).db_url, code)
    profile = None if found is None else charts.section_profile(found.sections)
    diff = None if found is None else charts.self_vs_suggested(found.rows, found.sections)
    return render(request, "compare.html.j2", org=org, d=data, chart_profile=profile, chart_diff=diff,
                  blind=views.scoring_blind(config_of(request).db_url, code))  # fmt: skip


@router.get("/api/orgs/{code}/compare", tags=TAGS, summary="The board's scores against the evidence (`compare --json`)")
def api_compare(request: Request, code: str, auth: Auth = Depends(signed_in)) -> dict[str, Any] | None:
    return compare_data(request, auth, code)


def trend_data(request: Request, auth: Auth, code: str) -> dict[str, Any]:
    in_scope(request, auth, code)
    return views.history(config_of(request).db_url, code)


@router.get("/orgs/{code}/trend", include_in_schema=False)
def trend(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    data = trend_data(request, auth, code)
    lines = [Line(x["key"], x["title"], x["suggested"], x["self"], True) for x in [data["overall"], *data["sections"]]]
    dates = [a["as_of"] for a in data["assessments"]]
    chart = charts.trend_chart(lines, dates, [s["as_of"] for s in data["self_assessments"]]) if dates else None
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "trend.html.j2", org=org, d=data, chart=chart, dates=dates)


@router.get("/api/orgs/{code}/trend", tags=TAGS, summary="Scores over time (`trend --json`)")
def api_trend(request: Request, code: str, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return trend_data(request, auth, code)


def assessments_of(request: Request, code: str) -> list[dict[str, Any]]:
    with unit_of_work(config_of(request).db_url) as session:
        records = list_assessments(session=session, org=code)
    return [{"id": r.id, "as_of": r.as_of.isoformat(), "created_at": r.created_at.isoformat(),
             "rules_hash": r.rules_hash} for r in reversed(records)]  # fmt: skip


@router.get("/orgs/{code}/reports", include_in_schema=False)
def reports(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "reports.html.j2", org=org, assessments=assessments_of(request, code), formats=FORMATS)


@router.get("/api/orgs/{code}/reports", tags=TAGS, summary="The assessments a report can be made of")
def api_reports(request: Request, code: str, auth: Auth = Depends(signed_in)) -> list[dict[str, Any]]:
    in_scope(request, auth, code)
    return assessments_of(request, code)


@router.get("/orgs/{code}/reports/download", tags=TAGS, summary="The board report of an assessment (a download)")
def download(request: Request, code: str, assessment: int = Query(..., ge=1), format: str = Query("html"),
             by: str = Query("section"), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    in_scope(request, auth, code)
    if format not in FORMATS or by not in ("section", "cqc"):
        raise HTTPException(422)
    with tempfile.TemporaryDirectory(prefix="pxrules-report-") as folder:
        path = Path(folder) / f"{code}-board-report.{format}"
        try:
            write_report(config_of(request).db_url, code, format, path, by=by, assessment_id=assessment)
        except NotFoundError:
            raise HTTPException(404) from None
        body = path.read_bytes()
    name = f"{code}-assessment-{assessment}-board-report.{format}"
    # Always a download: a report opened from this origin would run under its own, looser policy.
    return Response(body, media_type=MEDIA[format], headers={"content-disposition": f'attachment; filename="{name}"'})

