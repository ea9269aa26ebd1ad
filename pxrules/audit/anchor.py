"""Anchors: the chain head written to a file outside the store, so a wholesale rewrite of the store shows.

The chain proves that nothing was changed *inside* it; someone able to rewrite the whole store with
pxrules' own hashing produces a chain that verifies. An anchor file kept elsewhere (the governance team's
shared folder, a ticket, a signed e-mail) holds lines `<UTC time> seq=<n> hash=<sha256>`, one per
`pxrules audit anchor FILE`; `audit verify` checks that the store's event n still has that hash for every
anchor it is given (`--anchor FILE`, or the files named in $PXRULES_ANCHORS) and names each that fails.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pxrules.common.input_file import read_input
from pxrules.common.output_file import check_output
from pxrules.errors import AuditError

ENV = "PXRULES_ANCHORS"
MAX_ANCHOR_BYTES = 16 * 1024 * 1024
_LINE = re.compile(r"^(?P<at>\S+) seq=(?P<seq>\d{1,18}) hash=(?P<hash>[0-9a-f]{64})(?: .*)?$")


@dataclass(frozen=True)
class Anchor:
    """One recorded head: where it was read from (file and line), when it was taken, the event and hash."""

    file: str
    line: int
    at: str
    seq: int
    hash: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def anchor_files(given: Sequence[Path] | None) -> list[Path]:
    """The anchor files to check: those given, else those in $PXRULES_ANCHORS (separated by os.pathsep)."""
    if given:
        return [Path(p) for p in given]
    return [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors in a file and a description of each line that is not one (blank and # lines skipped)."""
    data = read_input(path, MAX_ANCHOR_BYTES, AuditError)
    anchors: list[Anchor] = []
    bad: list[str] = []
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        match = _LINE.match(text)
        if match is None:
            bad.append(f"anchor {path}:{number} is not an anchor line (<time> seq=N hash=SHA256)")
            continue
        anchors.append(Anchor(str(path), number, match["at"], int(match["seq"]), match["hash"]))
    return anchors, bad


def check_anchors(events: Iterable[dict[str, Any]], files: Sequence[Path]) -> tuple[int, list[str]]:
    """(anchors checked, a problem for each anchor the chain no longer holds or line that is not one)."""
    by_seq = {e.get("seq"): e.get("hash") for e in events}
    checked = 0
    problems: list[str] = []
    for path in files:
        anchors, bad = read_anchors(path)
        problems += bad
        for anchor in anchors:
            checked += 1
            held = by_seq.get(anchor.seq)
            if held == anchor.hash:
                continue
            what = (
                f"the store has no event {anchor.seq} any more (events were removed)"
                if held is None
                else f"the store's event {anchor.seq} now has hash {str(held)[:12]}..."
            )
            problems.append(
                f"anchor {anchor.where} (event {anchor.seq}, hash {anchor.hash[:12]}..., taken {anchor.at}) "
                f"no longer matches: {what}: the chain was rewritten or truncated since"
            )
    return checked, problems


def append_anchor(path: Path, seq: int, digest: str, *, store_url: str | None) -> str:
    """Append `<now> seq=N hash=H` to `path` (created if missing, never the store); the line written."""
    path = Path(path)
    if path.exists():
        read_input(path, MAX_ANCHOR_BYTES, AuditError)  # a regular file within the limit, not a FIFO
        check_output(path, store_url=store_url, force=True)
    else:
        check_output(path, store_url=store_url)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    line = f"{at} seq={seq} hash={digest}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AuditError(f"cannot append to {path}: {exc.strerror or exc}") from exc
    return line
