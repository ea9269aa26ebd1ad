"""Reminders: one message per owner listing their lapsing evidence and their due or overdue actions.

`reminders` gathers them (the same lists the workspace will show); `send_reminders` sends each owner with
an email address one plain-text message through the SMTP server named in the configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pxrules.common.dates import uk
from pxrules.errors import PxRulesError
from pxrules.store.actions import ActionRecord, list_actions
from pxrules.store.db import unit_of_work
from pxrules.store.orgs import get_org, list_orgs
from pxrules.store.owners import owners_of
from pxrules.store.repo import load_evidence

NO_OWNER = ""


class ReminderError(PxRulesError):
    """Reminders that cannot be sent (configuration or the server refused)."""


@dataclass(frozen=True)
class EvidenceDue:
    """An owned evidence item that lapses, or comes up for review, within the horizon."""

    org: str
    evidence_id: str
    title: str
    why: str  # "lapses" or "review"
    on: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {"org": self.org, "evidence_id": self.evidence_id, "title": self.title, "why": self.why,
                "on": self.on.isoformat()}  # fmt: skip


@dataclass
class Reminder:
    """Everything one owner is reminded of."""

    owner: str
    evidence: list[EvidenceDue] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)

    @property
    def email(self) -> str | None:
        text = self.owner.strip()
        return text if "@" in text and " " not in text else None

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        return {"owner": self.owner or None, "email": self.email, "evidence": [e.as_dict() for e in self.evidence],
                "actions": [a.as_dict(today) for a in self.actions]}  # fmt: skip

    def body(self, today: dt.date, within: int) -> str:
        lines = [f"Patient experience evidence and actions for {self.owner or 'nobody (no owner recorded)'}",
                 f"as of {uk(today)}, looking {within} days ahead.", ""]  # fmt: skip
        if self.evidence:
            lines.append("Evidence to renew or review:")
            for e in sorted(self.evidence, key=lambda e: (e.on, e.evidence_id)):
                what = "stops counting after" if e.why == "lapses" else "is due for review on"
                lines.append(f"  - {e.org} {e.evidence_id} ({e.title}) {what} {uk(e.on)}")
            lines.append("")
        overdue = [a for a in self.actions if a.is_overdue(today)]
        due = [a for a in self.actions if not a.is_overdue(today)]
        for heading, actions in (("Overdue actions:", overdue), ("Actions due soon:", due)):
            if actions:
                lines.append(heading)
                lines.extend(f"  - {a.org} {a.line()}" for a in actions)
                lines.append("")
        lines.append("Update an action with `pxrules action update ID --status done` (or in the workspace).")
        return "\n".join(lines) + "\n"


def reminders(url: str | None, *, within: int = 30, as_of: dt.date | None = None,
              org: str | None = None) -> list[Reminder]:  # fmt: skip
    """Per owner (unowned items and actions under ''), what lapses or falls due within `within` days."""
    from pxrules.scoring.due import valid_until

    today = as_of or dt.date.today()
    horizon = today + dt.timedelta(days=within)
    found: dict[str, Reminder] = {}

    def of(owner: str) -> Reminder:
        return found.setdefault(owner.strip().lower(), Reminder(owner.strip()))

    with unit_of_work(url) as session:
        codes = [get_org(org, session=session).code] if org else [o.code for o in list_orgs(session=session)]
        owners = owners_of(None, session=session)
        for code in codes:
            for item in load_evidence(code, session=session):
                who = owners.get(item.id)
                until = valid_until(item, today, horizon)
                if until is not None:
                    of(who.owner if who else NO_OWNER).evidence.append(
                        EvidenceDue(code, item.id, item.source.title, "lapses", until))
                if who is not None and who.review_date is not None and who.review_date <= horizon:
                    of(who.owner).evidence.append(EvidenceDue(code, item.id, item.source.title, "review",
                                                              who.review_date))  # fmt: skip
            for action in list_actions(session=session, org=code, due_within=within, today=today):
                of(action.owner).actions.append(action)
    return sorted(found.values(), key=lambda r: (r.owner == NO_OWNER, r.owner.lower()))


@dataclass(frozen=True)
class SmtpSettings:
    """Where reminders are sent from: host, port, sender, and optionally STARTTLS and a login."""

    host: str
    port: int
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def load(cls, config: str | Path | None = None) -> SmtpSettings:
        """From a TOML file ([smtp] host, port, from, starttls, user), else $PXRULES_SMTP_*; password from env."""
        data: dict[str, Any] = {}
        path = config or os.environ.get("PXRULES_SMTP_CONFIG")
        if path:
            try:
                data = dict(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("smtp", {}))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ReminderError(f"{path}: cannot read the SMTP settings ({exc})") from exc
        env = os.environ
        host = str(data.get("host") or env.get("PXRULES_SMTP_HOST") or "")
        sender = str(data.get("from") or env.get("PXRULES_SMTP_FROM") or "")
        if not host or not sender:
            raise ReminderError("no SMTP server configured: set PXRULES_SMTP_HOST and PXRULES_SMTP_FROM "
                                "(and PXRULES_SMTP_PORT), or name a file with [smtp] host, port, from")  # fmt: skip
        try:
            port = int(data.get("port") or env.get("PXRULES_SMTP_PORT") or 25)
        except ValueError as exc:
            raise ReminderError("the SMTP port is not a number") from exc
        starttls = str(data.get("starttls", env.get("PXRULES_SMTP_STARTTLS", ""))).lower() in {"1", "true", "yes"}
        user = str(data.get("user") or env.get("PXRULES_SMTP_USER") or "") or None
        return cls(host, port, sender, starttls, user, env.get("PXRULES_SMTP_PASSWORD") or None)


def send_reminders(
    found: Sequence[Reminder], settings: SmtpSettings, *, today: dt.date, within: int, timeout: float = 30
) -> tuple[list[str], list[str]]:
    """Send one message per owner with an email address; (sent to, not sent with why)."""
    sent: list[str] = []
    skipped: list[str] = []
    messages: list[tuple[str, EmailMessage]] = []
    for reminder in found:
        if reminder.email is None:
            skipped.append(f"{reminder.owner or '(no owner)'}: no email address")
            continue
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = reminder.email
        counts = f"{len(reminder.evidence)} evidence item(s), {len(reminder.actions)} action(s)"
        message["Subject"] = f"Patient experience: {counts} due within {within} days"
        message.set_content(reminder.body(today, within))
        messages.append((reminder.email, message))
    if not messages:
        return sent, skipped
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as server:
            if settings.starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.user:
                server.login(settings.user, settings.password or "")
            for address, message in messages:
                server.send_message(message)
                sent.append(address)
    except (OSError, smtplib.SMTPException) as exc:
        done = f" after sending to {', '.join(sent)}" if sent else ""
        raise ReminderError(f"SMTP {settings.host}:{settings.port}: {exc}{done}") from exc
    return sent, skipped
