"""The one exception hierarchy pxrules raises; the CLI prints these as one clear line and exits non-zero.

    PxRulesError
     ├── CatalogueError   the framework catalogue (rules/framework.yaml) is malformed
     ├── EvidenceError    an evidence file, row or field is invalid (names file, row/line, field)
     ├── ImportFormatError  a published NHS file has an unknown layout or a bad cell (names sheet, row, column)
     ├── RuleError        the rule pack is invalid (names file and rule)
     ├── EngineError      the rule engine failed or an action raised during evaluation
     ├── StoreError       the database refused an operation, or is not initialised
     ├── NotFoundError    an organisation, evidence item or assessment does not exist
     ├── AuditError       the audit chain or a stored content hash does not verify
     └── AccountError     an account, password, sign-in or API token was refused

Anything else escaping the library is a bug, not a message.
"""

from __future__ import annotations


class PxRulesError(Exception):
    """Base of every error pxrules raises on purpose."""


class CatalogueError(PxRulesError):
    """The framework catalogue file is missing, malformed or inconsistent."""


class EvidenceError(PxRulesError):
    """Evidence input is invalid; `problems` lists every (location, message) found."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[str, str]] = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        lines = [head] + [f"  {where}: {what}" for where, what in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


class ImportFormatError(EvidenceError):
    """A published NHS data file does not have the layout the importer expects."""


class RuleError(PxRulesError):
    """The rule pack failed validation; the message names the file and the rule."""


class EngineError(PxRulesError):
    """The rule engine failed, or a rule action raised; the original error is chained."""


class StoreError(PxRulesError):
    """The store is missing, not initialised, or refused a write."""


class NotFoundError(PxRulesError):
    """A named organisation, evidence item, assessment or sub-requirement does not exist."""


class AuditError(PxRulesError):
    """The audit chain or a content hash does not verify; names the first broken event."""


class AccountError(PxRulesError):
    """An account change, sign-in or API token was refused (bad email, weak password, unknown user ...)."""
