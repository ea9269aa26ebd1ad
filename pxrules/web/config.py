"""What a running server is configured with: the store, cookie security and limits (from options or env)."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_BODY = 64 * 1024  # forms here are small; only the upload routes take more (see UPLOAD_SLACK)
UPLOAD_SLACK = 1024 * 1024  # an upload's form fields and multipart framing, beyond the file itself


@dataclass(frozen=True)
class WebConfig:
    """One server's settings; `from_env` is what each uvicorn worker process reads.

    `attachment_max` is the largest file an upload route takes (PXRULES_ATTACHMENT_MAX_MB, default 25 MB);
    those routes alone accept a body up to that and UPLOAD_SLACK, every other request stays at `max_body`.
    """

    db_url: str
    secure_cookies: bool = False
    max_body: int = MAX_BODY
    demo_hint: str | None = None
    attachment_max: int = 25 * 1024 * 1024

    @property
    def upload_body(self) -> int:
        return self.attachment_max + UPLOAD_SLACK

    @classmethod
    def from_env(cls) -> WebConfig:
        from pxrules.evidence.attachment_file import max_bytes_from_env
        from pxrules.store.db import resolve_url

        return cls(
            db_url=resolve_url(None),
            secure_cookies=os.environ.get("PXRULES_SECURE_COOKIES", "") in ("1", "true", "yes"),
            max_body=int(os.environ.get("PXRULES_MAX_BODY", MAX_BODY)),
            attachment_max=max_bytes_from_env(),
        )
