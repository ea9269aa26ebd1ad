"""The organisations a user may see, an organisation's home, and one sub-requirement explained."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pxrules.board.review import drafts
from pxrules.board.trend import Line
from pxrules.common.dates import uk
from pxrules.errors import NotFoundError
from pxrules.reports import charts
from pxrules.store.db import unit_of_work
from pxrules.store.drafts import DraftRecord
from pxrules.store.repo import list_orgs
from pxrules.web import views
from pxrules.web.action_views import my_summary, sub_actions
from pxrules.web.auth import Auth, config_of, in_scope, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["organisations"]


def orgs_of(request: Request, auth: Auth) -> list[dict[str, Any]]:
    with unit_of_work(config_of(request).db_url) as session:
        return [o.as_dict() for o in list_orgs(session=session) if auth.user.can_see(o.code)]


@router.get("/", include_in_schema=False)
def start(request: Request, auth: Auth = Depends(signed_in)) -> Response:
    return render(request, "orgs.html.j2", orgs=orgs_of(request, auth))


@router.get("/api/orgs", tags=TAGS, summary="The organisations you may see (`org list --json`)")
def api_orgs(request: Request, auth: Auth = Depends(signed_in)) -> list[dict[str, Any]]:
    return orgs_of(request, auth)


def home_data(request: Request, auth: Auth, code: str) -> dict[str, Any]:
    in_scope(request, auth, code)
    url = config_of(request).db_url
    # The summary is the signed-in user's own: kept apart from the shared view, per user and day.
    today, version = dt.date.today(), views.data_version(url)
    mine = views.cached(url, ("my-actions", code, auth.user.email, today),
                        lambda: my_summary(url, code, auth.user, today), version)  # fmt: skip
    versions = views.cached(url, ("versions", code), lambda: drafts(url, code), version)
    return {**views.home(url, code, version), "my_actions": mine,
            "self_assessment_in_progress": _in_progress(versions)}  # fmt: skip


def _in_progress(versions: list[DraftRecord]) -> dict[str, Any] | None:
    found = next((v for v in versions if v.status != "signed"), None)
    return None if found is None else found.as_dict(with_rows=False)


# What the "Run an assessment" form led to (chosen here, never taken from the URL).
DONE = {
    "assessed": ("status", "Assessed: the suggested scores below are from the evidence as it stands now."),
    "assess-bad-date": ("alert", "Give the assessment date as dd/mm/yyyy, for example 31/03/2026."),
    "assess-future": ("alert", "An assessment date cannot be after today: it reads the evidence held by then."),
}


@router.get("/orgs/{code}", include_in_schema=False)
def home(request: Request, code: str, done: str | None = Query(None, max_length=20),
         auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    data = home_data(request, auth, code)
    return render(request, "home.html.j2", org=data["organisation"], d=data, done=DONE.get(done or ""),
                  today=uk(dt.date.today()),
                  in_progress=data["self_assessment_in_progress"],
                  blind=views.scoring_blind(config_of(request).db_url, code))  # fmt: skip


@router.get("/api/orgs/{code}", tags=TAGS,
            summary="Organisation home: `compare`, `trend`, `evidence due --within 90` and your actions")  # fmt: skip
def api_home(request: Request, code: str, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return home_data(request, auth, code)


def sub_data(request: Request, auth: Auth, code: str, sub_id: str) -> dict[str, Any]:
    in_scope(request, auth, code)
    url = config_of(request).db_url
    version = views.data_version(url)
    try:
        found = views.sub_requirement(url, code, sub_id.upper(), version)
    except NotFoundError:
        raise HTTPException(404) from None
    # Kept per (data version, day): an action's update adds a row, so it is never shown stale.
    today = dt.date.today()
    actions = views.cached(url, ("sub-actions", code, found["sub_requirement"], today),
                           lambda: sub_actions(url, code, found["sub_requirement"], today), version)  # fmt: skip
    return {**found, "actions": actions}


@router.get("/orgs/{code}/sub/{sub_id}", include_in_schema=False)
def sub_requirement(request: Request, code: str, sub_id: str, auth: Auth = Depends(signed_in)) -> Response:
    data = sub_data(request, auth, code, sub_id)
    history = data["history"]
    chart = None
    if history["dates"]:
        line = Line(data["sub_requirement"], data["sub_requirement"], history["suggested"], history["self"])
        chart = charts.trend_chart([line], history["dates"], history["self_dates"])
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "sub.html.j2", org=org, d=data, chart=chart,
                  blind=views.scoring_blind(config_of(request).db_url, code))  # fmt: skip


@router.get("/api/orgs/{code}/sub/{sub_id}", tags=TAGS,
            summary="A sub-requirement: `explain --json` with the board's row and both scores' history")  # fmt: skip
def api_sub_requirement(request: Request, code: str, sub_id: str, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return sub_data(request, auth, code, sub_id)
