"""The board's actions in the browser: the lists ("my actions", overdue, due soon, all open, done), one action
with its history and an update form, and a form to add one. Writes go through the same library calls as
`pxrules action add|update` (owners checked against the accounts), audited with the signed-in user as actor.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.accounts.owners import (
    ChangedMeanwhile,
    OwnerError,
    add_owned_action,
    add_planned_actions,
    update_owned_action,
)
from pxrules.common.dates import DateError, parse_date, uk
from pxrules.errors import PxRulesError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.actions import MAX_TITLE
from pxrules.store.tables import ACTION_STATUSES
from pxrules.web import action_views
from pxrules.web.action_views import FIELD_WORDS, LISTS
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["actions"]
WRITER = "contributor"  # contributors and above add and update actions; viewers read them
TRACKER = "lead"  # leads turn a whole self-assessment's planned actions into tracked actions
Show = Query("mine", pattern="^(" + "|".join(LISTS) + ")$", description="mine, overdue, soon, open or done")
Mine = Query(False, description="Only your own actions (as `action list --mine`)")


def list_data(request: Request, auth: Auth, code: str | None, show: str, mine: bool) -> dict[str, Any]:
    if code is not None:
        in_scope(request, auth, code)
    return action_views.action_list(config_of(request).db_url, code, show, auth.user, dt.date.today(), mine)


def _list_page(request: Request, auth: Auth, code: str, show: str, mine: bool, *, tracked: int | None = None,
               problem: str | None = None, status: int = 200) -> Response:  # fmt: skip
    data = list_data(request, auth, code, show, mine)
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "actions.html.j2", status=status, org=org, d=data, lists=LISTS,
                  can_write=auth.user.at_least(WRITER), can_track=auth.user.at_least(TRACKER), tracked=tracked,
                  problem=problem)  # fmt: skip


@router.get("/orgs/{code}/actions", include_in_schema=False)
def actions(request: Request, code: str, show: str = Show, mine: bool = Mine,
            tracked: int | None = Query(None, ge=0, le=10_000),
            auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    return _list_page(request, auth, code, show, mine, tracked=tracked)


@router.post("/orgs/{code}/actions/from-self-assessment", include_in_schema=False)
def track_planned(request: Request, code: str, csrf: str = Form("", max_length=100),
                  auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    """`action add --from-self-assessment`: an action for each planned action of the latest self-assessment."""
    in_scope(request, auth, code)
    need(auth, TRACKER)
    check_csrf(auth, csrf)
    try:
        added = add_planned_actions(config_of(request).db_url, by=auth.user.email, org=code)
    except PxRulesError as exc:
        return _list_page(request, auth, code, "open", False, problem=str(exc), status=422)
    return RedirectResponse(f"/orgs/{code}/actions?show=open&tracked={len(added)}", status_code=303)


@router.get("/api/orgs/{code}/actions", tags=TAGS,
            summary="A list of actions (`action list --json`, --mine, --overdue, --due-within 30 ...)")  # fmt: skip
def api_actions(request: Request, code: str, show: str = Show, mine: bool = Mine,
                auth: Auth = Depends(signed_in)) -> dict[str, Any]:  # fmt: skip
    return list_data(request, auth, code, show, mine)


@router.get("/my/actions", include_in_schema=False)
def my_actions(request: Request, show: str = Show, mine: bool = Mine, auth: Auth = Depends(signed_in)) -> Response:
    data = list_data(request, auth, None, show, mine)
    return render(request, "actions.html.j2", org=None, d=data, lists=LISTS, can_write=False,
                  can_track=False, tracked=None, problem=None)  # fmt: skip


@router.get("/api/my/actions", tags=TAGS, summary="Your actions in every organisation you can see")
def api_my_actions(request: Request, show: str = Show, mine: bool = Mine,
                   auth: Auth = Depends(signed_in)) -> dict[str, Any]:  # fmt: skip
    return list_data(request, auth, None, show, mine)


def _due(text: str, errors: dict[str, str], *, required: bool) -> dt.date | None:
    """The due date typed dd/mm/yyyy (yyyy-mm-dd is read too), with any problem recorded beside the field."""
    if not text.strip():
        if required:
            errors["due"] = "Enter the due date, for example 31/03/2027"
        return None
    try:
        return parse_date(text)
    except DateError as exc:
        errors["due"] = str(exc)
        return None


def _form_page(request: Request, auth: Auth, code: str, values: dict[str, str], errors: dict[str, str],
               status: int = 200) -> Response:  # fmt: skip
    url = config_of(request).db_url
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "action_new.html.j2", status=status, org=org, values=values, errors=errors,
                  subs=action_views.sub_choices(), people=action_views.owner_choices(url, code))  # fmt: skip


@router.get("/orgs/{code}/actions/new", include_in_schema=False)
def new_action(request: Request, code: str, sub: str = Query("", max_length=3),
               auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    in_scope(request, auth, code)
    need(auth, WRITER)
    return _form_page(request, auth, code, {"sub": sub.upper(), "title": "", "owner": "", "due": ""}, {})


@router.post("/orgs/{code}/actions", include_in_schema=False)
def add(request: Request, code: str, sub: str = Form("", max_length=3), title: str = Form("", max_length=2 * MAX_TITLE),
        owner: str = Form("", max_length=400), due: str = Form("", max_length=40), csrf: str = Form("", max_length=100),
        auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    in_scope(request, auth, code)
    need(auth, WRITER)
    check_csrf(auth, csrf)
    values = {"sub": sub.strip().upper(), "title": title, "owner": owner, "due": due}
    errors: dict[str, str] = {}
    if values["sub"] not in load_catalogue().ids:
        errors["sub"] = "Choose the sub-requirement the action is for"
    if not title.strip():
        errors["title"] = "Enter what will be done"
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = f"The action must be {MAX_TITLE:,} characters or fewer"
    if not owner.strip():
        errors["owner"] = "Enter the owner's email address, or a role such as Director of Nursing"
    day = _due(due, errors, required=True)
    if not errors:
        try:
            record = add_owned_action(config_of(request).db_url, by=auth.user.email, org=code, title=title,
                                      sub_requirement=values["sub"], owner=owner, due_date=day)  # fmt: skip
        except OwnerError as exc:
            errors["owner"] = str(exc)
        except PxRulesError as exc:
            errors["form"] = str(exc)
        else:
            return RedirectResponse(f"/orgs/{code}/actions/{record.id}?saved=added", status_code=303)
    return _form_page(request, auth, code, values, errors, status=422)


def detail_data(request: Request, auth: Auth, code: str, action_id: int) -> dict[str, Any]:
    in_scope(request, auth, code)
    found = action_views.action_detail(config_of(request).db_url, code, action_id, dt.date.today())
    if found is None:
        raise HTTPException(404)
    return found


def _detail_page(request: Request, auth: Auth, code: str, action_id: int, *, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, saved: str = "", status: int = 200) -> Response:  # fmt: skip
    data = detail_data(request, auth, code, action_id)
    a = data["action"]
    if values is None:
        due = dt.date.fromisoformat(a["due_date"]) if a["due_date"] else None
        values = {"status": a["status"], "owner": a["owner"] or "", "due": uk(due) if due else "",
                  "note": a["note"] or ""}  # fmt: skip
    org = {"code": code, "name": in_scope(request, auth, code)}
    url = config_of(request).db_url
    can_write = auth.user.at_least(WRITER)
    return render(request, "action.html.j2", status=status, org=org, d=data, values=values, errors=errors or {},
                  saved=saved, statuses=ACTION_STATUSES, can_write=can_write,
                  field_words=FIELD_WORDS,
                  people=action_views.owner_choices(url, code) if can_write else [])  # fmt: skip


@router.get("/orgs/{code}/actions/{action_id}", include_in_schema=False)
def action(request: Request, code: str, action_id: int, saved: str = Query("", max_length=10),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    return _detail_page(request, auth, code, action_id, saved=saved if saved in ("added", "updated", "same") else "")


@router.get("/api/orgs/{code}/actions/{action_id}", tags=TAGS,
            summary="An action and its versions (`action history --json`, with the fields each changed)")  # fmt: skip
def api_action(request: Request, code: str, action_id: int, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return detail_data(request, auth, code, action_id)


@router.post("/orgs/{code}/actions/{action_id}", include_in_schema=False)
def update(request: Request, code: str, action_id: int, status: str = Form("", max_length=20),
           owner: str = Form("", max_length=400), due: str = Form("", max_length=40),
           note: str = Form("", max_length=20_000), version: int = Form(0, ge=0), csrf: str = Form("", max_length=100),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    current = detail_data(request, auth, code, action_id)["action"]  # 404 before anything else
    need(auth, WRITER)
    check_csrf(auth, csrf)
    values = {"status": status, "owner": owner, "due": due, "note": note}
    errors: dict[str, str] = {}
    if status not in ACTION_STATUSES:
        errors["status"] = "Choose open, in progress or done"
    if not owner.strip() and current["owner"]:
        errors["owner"] = "Enter the owner's email address, or a role such as Director of Nursing"
    day = _due(due, errors, required=current["due_date"] is not None)
    if not errors:
        try:
            same_owner = owner.strip().lower() == (current["owner"] or "").lower()  # not re-checked when unchanged
            record = update_owned_action(config_of(request).db_url, action_id, by=auth.user.email,
                                         owner=None if same_owner else owner, expected_version=version or None,
                                         status=status, due_date=day, note=note)  # fmt: skip
        except OwnerError as exc:
            errors["owner"] = str(exc)
        except ChangedMeanwhile as exc:
            errors["form"] = (f"Someone else saved a change first: {exc}. It is shown below; your changes are "
                              "still in the form: check them against it and save again.")  # fmt: skip
        except PxRulesError as exc:
            errors["form"] = str(exc)
        else:
            saved = "updated" if record.version != current["version"] else "same"
            return RedirectResponse(f"/orgs/{code}/actions/{action_id}?saved={saved}", status_code=303)
    status_code = 409 if errors.get("form", "").startswith("Someone else") else 422
    return _detail_page(request, auth, code, action_id, values=values, errors=errors, status=status_code)
