"""What a running server is configured with: the store, cookie security and limits (from options or env)."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_BODY = 64 * 1024  # forms here are small; issue 15's uploads will raise this for their own route


@dataclass(frozen=True)
class WebConfig:
    """One server's settings; `from_env` is what each uvicorn worker process reads."""

    db_url: str
    secure_cookies: bool = False
    max_body: int = MAX_BODY
    demo_hint: str | None = None

    @classmethod
    def from_env(cls) -> WebConfig:
        from pxrules.store.db import resolve_url

        return cls(
            db_url=resolve_url(None),
            secure_cookies=os.environ.get("PXRULES_SECURE_COOKIES", "") in ("1", "true", "yes"),
            max_body=int(os.environ.get("PXRULES_MAX_BODY", MAX_BODY)),
        )
