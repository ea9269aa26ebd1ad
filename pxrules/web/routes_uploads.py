"""Many items at once: a CSV, XLSX (the evidence template, filled in) or YAML file through the same importers
as `evidence import`, all or nothing, with every row's problem listed; and the Excel templates to fill in.

The upload is written under a safe name into a private temporary folder, read from there, and removed.
"""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from pxrules.errors import EvidenceError, PxRulesError
from pxrules.evidence import KIND_LABELS, KINDS
from pxrules.evidence.columns import columns
from pxrules.evidence.template import write_template
from pxrules.store.attachments import attachments_folder
from pxrules.store.db import unit_of_work
from pxrules.store.evidence_files import check_evidence_files, import_evidence_files
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.evidence_save import read_upload
from pxrules.web.render import render
from pxrules.web.routes_evidence_amend import safe_file_name

router = APIRouter()
SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml", ".json")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FIELD = re.compile(r"^'(?P<heading>[^']*)' \((?P<key>[\w.]+)\): (?P<message>.*)$", re.S)
_KEY = re.compile(r"^(?P<key>[a-z_][\w.]*): (?P<message>.*)$", re.S)
# The command line's advice, said as the workspace would.
_CLI_WORDS = {"; use --correct to record a new version": "; correct it from its page, or give it another id",
              "; give --allow-future REASON if it is meant": ""}  # fmt: skip


def _org(request: Request, auth: Auth, code: str) -> dict[str, str]:
    need(auth, "contributor")
    return {"code": code, "name": in_scope(request, auth, code)}


def _page(request: Request, org: dict[str, str], *, status: int = 200, **context: Any) -> Response:
    kinds = [{"key": k, "label": KIND_LABELS[k]} for k in KINDS]
    context.setdefault("rows", [])
    context.setdefault("stored", None)
    context.setdefault("problem", None)
    max_mb = max(1, round(config_of(request).attachment_max / (1024 * 1024)))
    return render(request, "upload.html.j2", status=status, org=org, kinds=kinds, max_mb=max_mb,
                  max_bytes=config_of(request).attachment_max, **context)  # fmt: skip


@router.get("/orgs/{code}/evidence/upload", include_in_schema=False)
def upload_page(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    return _page(request, _org(request, auth, code))


def problem_row(where: str, message: str, temp: str, shown: str) -> dict[str, str]:
    """One problem as the table shows it: file, where in it, field, message (no temporary path)."""
    where = where.replace(temp, shown)
    message = message.replace(temp, shown)
    for cli, words in _CLI_WORDS.items():
        message = message.replace(cli, words)
    file, place = (shown, where[len(shown):].strip()) if where.startswith(shown) else ("", where)
    field = key = ""
    found = _FIELD.match(message) or _KEY.match(message)
    if found:
        key = found.group("key")
        field = found.groupdict().get("heading") or heading_of(key)
        message = found.group("message")
    if message.startswith(("is ", "given ")):
        message = "This " + message  # the field (or the item) it is about stands beside it
    return {"file": file, "where": place, "field": field, "key": key if key != field else "",
            "message": message[:1].upper() + message[1:]}


@cache
def _headings() -> dict[str, str]:
    return {c.key: c.heading for kind in KINDS for c in columns(kind)}


def heading_of(key: str) -> str:
    """A field's heading as the template shows it (a nested object by its first column), else the key."""
    found = _headings()
    return found.get(key) or next((h for k, h in found.items() if k.startswith(key + ".")), key)


@router.post("/orgs/{code}/evidence/upload", include_in_schema=False)
async def upload(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _org(request, auth, code)
    limit = config_of(request).attachment_max
    async with request.form() as form:
        check_csrf(auth, str(form.get("csrf") or ""))
        sent = await read_upload(form, "file", limit)
    if sent is None or not sent.data:
        return _page(request, org, problem="Choose a file to upload (it was empty or not chosen).", status=422)
    shown = safe_file_name(Path(sent.name.replace("\\", "/")).name)
    suffix = Path(shown).suffix.lower()
    if suffix not in SUFFIXES:
        return _page(request, org, problem=f"{shown}: upload a .csv, .xlsx, .yaml or .json file of evidence.",
                     status=422)  # fmt: skip
    if len(sent.data) > limit:
        return _page(request, org, problem=f"{shown} is over the {limit // (1024 * 1024)} MB limit; split it.",
                     status=422)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pxrules-upload-") as folder:
        path = Path(folder) / shown
        path.write_bytes(sent.data)
        try:
            items = check_evidence_files([path], org=code)
            elsewhere = "upload it on that organisation's page"
            strangers = [(f"evidence {i.id}", f"is about {i.org or 'every organisation'}, not {code}: {elsewhere}")
                         for i in items if i.org != code]  # fmt: skip
            if strangers:
                raise EvidenceError("items of another organisation", strangers)
            with unit_of_work(config_of(request).db_url) as session:
                result = import_evidence_files([path], session=session, by=auth.user.email, org=code,
                                               folder=attachments_folder())  # fmt: skip
        except EvidenceError as exc:
            rows = [problem_row(w, m, str(path), shown) for w, m in exc.problems] or [
                problem_row(shown, str(exc), str(path), shown)]  # fmt: skip
            return _page(request, org, rows=rows, file=shown, status=422)
        except PxRulesError as exc:
            return _page(request, org, problem=str(exc).replace(str(path), shown), status=422)
    return _page(request, org, stored=result.as_dict(), file=shown)


@router.get("/orgs/{code}/evidence/template/{name}", include_in_schema=False)
def template(request: Request, code: str, name: str, auth: Auth = Depends(signed_in)) -> Response:
    _org(request, auth, code)
    kind = name.removesuffix(".xlsx")
    if not name.endswith(".xlsx") or (kind != "all" and kind not in KINDS):
        raise HTTPException(404)
    with tempfile.TemporaryDirectory(prefix="pxrules-template-") as folder:
        path = write_template(Path(folder) / name, None if kind == "all" else [kind])
        data = path.read_bytes()
    file_name = f"pxrules-evidence-{kind.replace('_', '-')}.xlsx"
    return Response(data, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{file_name}"',
                                                    "x-content-type-options": "nosniff"})  # fmt: skip
