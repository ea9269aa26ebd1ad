"""A self-assessment section in the framework's layout, and each line saved as the board writes it.

A line's form carries the values it was loaded with (`base_*`) beside the editor's own, so a save merges
with anyone else's (`pxrules.store.drafts`). With htmx a change saves at once and only the line's status
and its base values are replaced (never a field the user may be typing in); without it, the Save button
posts and the section is shown again. A conflict is shown in the line, with "keep mine" and "use theirs".
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.board import review
from pxrules.board.scale import SCALE
from pxrules.common.dates import DateError, parse_optional_date
from pxrules.errors import PxRulesError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.drafts import FIELDS, MAX_TEXT, DraftLine, DraftRecord, SaveResult, normal_text
from pxrules.web import views
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.render import render
from pxrules.web.routes_selfassess import STATUS_WORDS, base_of, version_of

router = APIRouter()
TEXTS = ("current_position", "planned_action", "what_good_looks_like")


def _section(number: int) -> Any:
    sections = load_catalogue().sections
    if not 1 <= number <= len(sections):
        raise HTTPException(404)
    return sections[number - 1]


def _suggested(request: Request, record: DraftRecord) -> dict[str, Any]:
    """Each sub-requirement's row of the comparison, unless the suggestions are hidden."""
    if record.suggestions_hidden:
        return {}
    found = views.draft_comparison(config_of(request).db_url, record)
    return {} if found is None else {r["id"]: r for r in found["sub_requirements"]}


def section_page(request: Request, auth: Auth, code: str, draft_id: int, number: int, *,
                 results: dict[str, dict[str, Any]] | None = None, status: int = 200) -> Response:  # fmt: skip
    record = version_of(request, auth, code, draft_id)
    section = _section(number)
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "sa_section.html.j2", status=status, org=org, record=record, section=section,
                  number=number, sections=load_catalogue().sections, scale=SCALE, words=STATUS_WORDS,
                  suggested=_suggested(request, record), results=results or {},
                  can_edit=record.editable and auth.user.at_least("contributor"))  # fmt: skip


@router.get("/orgs/{code}/self-assessment/{draft_id}/section/{number}", include_in_schema=False)
def section(request: Request, code: str, draft_id: int, number: int, auth: Auth = Depends(signed_in)) -> Response:
    return section_page(request, auth, code, draft_id, number)


def _section_number(sub_id: str) -> int:
    return next(n for n, s in enumerate(load_catalogue().sections, 1)
                if any(x.id == sub_id for c in s.characteristics for x in c.sub_requirements))  # fmt: skip


def _typed(form: dict[str, str], prefix: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's values (or base values) as a line holds them, and the errors by field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    score = form.get(prefix + "score", "").strip()
    if score not in ("", "0", "1", "2", "3", "4", "5"):
        errors["score"] = "Choose a score from 0 to 5, or not scored"
    else:
        values["score"] = int(score) if score else None
    for name in TEXTS:
        values[name] = normal_text(form.get(prefix + name, ""))
        if len(values[name]) > MAX_TEXT:
            errors[name] = f"At most {MAX_TEXT:,} characters (this has {len(values[name]):,})"
    values["owner"] = normal_text(form.get(prefix + "owner", ""))
    try:
        values["review_date"] = parse_optional_date(form.get(prefix + "review_date", ""))
    except DateError as exc:
        errors["review_date"] = str(exc)
    return values, errors


def _outcome(line: DraftLine, saved: SaveResult | None, base: dict[str, Any], mine: dict[str, Any],
             errors: dict[str, str], problem: str | None) -> dict[str, Any]:  # fmt: skip
    """What the line's status says, and the base values its form carries from now on."""
    stored = line.values()
    if saved is None:
        return {"errors": errors, "problem": problem, "base": base, "mine": mine, "line": line, "saved": (),
                "conflicts": {}, "others": [], "who": line.changed_by, "when": line.changed_at}  # fmt: skip
    # A field the editor now shows as stored is settled; any other keeps its old base, so a later save
    # neither reverts someone else's change nor loses a conflict that is not yet resolved.
    new_base = {f: mine[f] if mine.get(f) == stored[f] else base.get(f, stored[f]) for f in FIELDS}
    others = [f for f in FIELDS if f not in saved.saved and f not in saved.conflicts and base.get(f) != stored[f]
              and mine.get(f) != stored[f]]  # fmt: skip
    return {"errors": errors, "problem": problem, "base": new_base, "mine": mine, "line": saved.line,
            "saved": saved.saved, "conflicts": saved.conflicts, "others": others, "who": saved.before_by,
            "when": saved.before_at}  # fmt: skip


@router.post("/orgs/{code}/self-assessment/{draft_id}/lines/{sub_id}", include_in_schema=False)
async def save(request: Request, code: str, draft_id: int, sub_id: str, auth: Auth = Depends(signed_in)) -> Response:
    # Text only (a file part is no line's value); lengths are the store's to refuse, naming the field.
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return _save(request, auth, code, draft_id, sub_id.upper(), form)


def _save(request: Request, auth: Auth, code: str, draft_id: int, sub_id: str, form: dict[str, str]) -> Response:
    record = version_of(request, auth, code, draft_id)
    need(auth, "contributor")
    check_csrf(auth, form.get("csrf", ""))
    if sub_id not in load_catalogue().ids:
        raise HTTPException(404)
    mine, errors = _typed(form, "")
    base, _ = _typed(form, "base_")
    saved, problem = None, None
    if not errors:
        if form.get("resolve") == "mine":
            # Keep mine: whatever is stored now becomes the base of the fields I changed.
            stored = record.line(sub_id).values()
            base = {f: stored[f] if mine[f] != base[f] else base[f] for f in FIELDS}
        try:
            saved = review.save(config_of(request).db_url, code, draft_id, sub_id, base=base, mine=mine,
                                by=auth.user.email)  # fmt: skip
        except PxRulesError as exc:
            problem = str(exc)
    line = saved.line if saved else record.line(sub_id)
    result = _outcome(line, saved, base, mine, errors, problem)
    result["raw"] = {f: form.get(f, "") for f in FIELDS}
    if request.headers.get("hx-request") == "true":
        # 200 even when not saved: htmx swaps only 2xx answers, and the status says what happened.
        return render(request, "sa_line_status.html.j2", org={"code": code}, record=record, sub_id=sub_id, r=result,
                      oob=True)  # fmt: skip
    number = _section_number(sub_id)
    if saved and not saved.conflicts:
        return RedirectResponse(f"{base_of(code, draft_id)}/section/{number}#line-{sub_id}", status_code=303)
    return section_page(request, auth, code, draft_id, number, results={sub_id: result},
                        status=200 if saved else 422)  # fmt: skip


@router.get("/orgs/{code}/self-assessment/{draft_id}/lines/{sub_id}", include_in_schema=False)
def line(request: Request, code: str, draft_id: int, sub_id: str, auth: Auth = Depends(signed_in)) -> Response:
    """One line as stored now ("use theirs"): the whole line, fresh."""
    record = version_of(request, auth, code, draft_id)
    sub_id = sub_id.upper()
    if sub_id not in load_catalogue().ids:
        raise HTTPException(404)
    sub = load_catalogue().get(sub_id)
    return render(request, "sa_line.html.j2", org={"code": code}, record=record, sub=sub,
                  suggested=_suggested(request, record), results={}, scale=SCALE,
                  can_edit=record.editable and auth.user.at_least("contributor"))  # fmt: skip
