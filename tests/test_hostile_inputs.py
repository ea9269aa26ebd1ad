"""Hostile and broken evidence files (JSON, YAML, CSV): a clear error, or stored exactly as written.

Every case runs `pxrules evidence import` against one store per back end; a rejected file must leave every
table and the audit chain exactly as they were, and the chain must verify after the whole corpus. Rule
files are data too: nothing in them is ever constructed or executed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from audit_support import cli, snapshot

from pxrules.audit.verify import verify_store
from pxrules.errors import CatalogueError, RuleError
from pxrules.paths import rules_dir
from pxrules.rules.pack import load_rulepack
from pxrules.store.db import init_db

ITEM: dict[str, Any] = {
    "kind": "fft_monthly", "id": "h-1", "org": "RX1", "period_start": "2025-01-01",
    "period_end": "2025-01-31", "source": {"title": "FFT"}, "setting": "ae", "responses": 10, "eligible": 100,
}  # fmt: skip
CSV_HEAD = "kind,id,org,period_start,period_end,source.title,setting,responses,eligible,notes"
CSV_ROW = "fft_monthly,h-1,RX1,2025-01-01,2025-01-31,FFT,ae,10,100,"
YAML_ITEM = (
    "kind: fft_monthly\nid: h-1\norg: RX1\nperiod_start: 2025-01-01\nperiod_end: 2025-01-31\n"
    "source: {title: FFT}\nsetting: ae\nresponses: 10\neligible: 100\n"
)
MARKER = "/tmp/pxrules-hostile-marker"  # what an executed tag would create
# Ten to the seventh values through six levels of aliases, from a few hundred bytes.
LAUGHS = b"a: &a [x,x,x,x,x,x,x,x,x,x]\n" + b"".join(
    f"{name}: &{name} [{','.join(['*' + inner] * 10)}]\n".encode()
    for inner, name in zip("abcdef", "bcdefg", strict=True)
)


def j(**over: Any) -> bytes:
    return json.dumps({**ITEM, **over}, ensure_ascii=False).encode("utf-8")


def raw_json(tail: str) -> bytes:
    """The item's JSON with `tail` (raw, possibly invalid JSON) spliced in as one more member."""
    return (json.dumps(ITEM)[:-1] + ", " + tail + "}").encode("utf-8")


def source(**over: Any) -> bytes:
    return j(source={"title": "FFT", **over})


def big(path: Path, head: bytes, unit: bytes, count: int, tail: bytes = b"") -> None:
    with path.open("wb") as out:
        out.write(head)
        block = unit * 10_000
        for _ in range(count // 10_000):
            out.write(block)
        out.write(unit * (count % 10_000) + tail)


Maker = bytes | Callable[[Path], None]
# (case id, file name, content or a writer, ("error", text in the message) or ("stored", {field: value}))
CASES: list[tuple[str, str, Maker, tuple[str, Any]]] = [
    # --- JSON ---
    ("json-truncated", "t.json", j()[: len(j()) // 2], ("error", "malformed JSON")),
    ("json-empty", "t.json", b"", ("error", "malformed JSON at line 1 column 1")),
    ("json-utf16", "t.json", j().decode().encode("utf-16"), ("error", "not UTF-8")),
    ("json-latin1", "t.json", j(notes="café").replace("é".encode(), b"\xe9"), ("error", "not UTF-8")),
    ("json-utf8-bom", "t.json", b"\xef\xbb\xbf" + j(id="h-bom"), ("stored", {"id": "h-bom"})),
    ("json-lone-surrogate", "t.json", raw_json('"notes": "\\udc80"'), ("error", "valid string")),
    ("json-5000-digit-int", "t.json", raw_json('"x": ' + "9" * 5000), ("error", "limit (4300 digits)")),
    ("json-huge-count", "t.json", j(responses=10**30), ("error", "less than or equal to 1000000000")),
    ("json-1e400", "t.json", raw_json('"percentage_positive": 1e400'), ("error", "finite number")),
    ("json-minus-1e400", "t.json", raw_json('"percentage_negative": -1e400'), ("error", "finite number")),
    ("json-nan", "t.json", raw_json('"percentage_positive": NaN'), ("error", "NaN is not allowed")),
    ("json-infinity", "t.json", raw_json('"percentage_positive": Infinity'), ("error", "Infinity is not allowed")),
    ("json-minus-infinity", "t.json", raw_json('"percentage_positive": -Infinity'),
     ("error", "-Infinity is not allowed")),
    ("json-fraction-count", "t.json", j(responses=10.5), ("error", "fractional part")),
    ("json-deep-nesting", "t.json", b"[" * 100_000 + b"]" * 100_000, ("error", "nested too deeply")),
    ("json-duplicate-key", "t.json", raw_json('"responses": 11'), ("error", "duplicate key 'responses'")),
    ("json-scalar", "t.json", b'"just text"', ("error", "expected an object or an array")),
    ("json-million-items", "t.json", lambda p: big(p, b"[", b"{},", 10**6 - 1, b"{}]"),
     ("error", "1,000,000 records, over the limit of 100,000")),
    ("json-70MB", "t.json", lambda p: big(p, b"[", b" " * 1000, 70_000, b"]"), ("error", "67,108,864-byte limit")),
    ("json-html", "t.json", j(id="h-html", notes="<script>alert('x')</script><img src=x onerror=alert(1)>"),
     ("stored", {"notes": "<script>alert('x')</script><img src=x onerror=alert(1)>"})),
    ("json-formulas", "t.json", j(id="h-formula", notes='=HYPERLINK("http://evil","x")',
                                   source={"title": "+cmd|' /C calc'!A0", "reference": "@SUM(A1:A9)"}),
     ("stored", {"notes": '=HYPERLINK("http://evil","x")', "source.title": "+cmd|' /C calc'!A0",
                 "source.reference": "@SUM(A1:A9)"})),
    ("json-control-chars", "t.json", j(id="h-nul", notes="a\x00b\u202eevil\u200b😀"),
     ("stored", {"notes": "a\x00b\u202eevil\u200b😀"})),
    ("json-attachment-traversal", "t.json", source(attachment="../../etc/passwd"), ("error", "bare file name")),
    ("json-attachment-backslash", "t.json", source(attachment="..\\..\\boot.ini"), ("error", "bare file name")),
    ("json-attachment-home", "t.json", source(attachment="~root"), ("error", "bare file name")),
    ("json-attachment-absolute", "t.json", source(attachment="/etc/passwd"), ("error", "bare file name")),
    ("json-attachment-dotdot", "t.json", source(attachment=".."), ("error", "bare file name")),
    ("json-attachment-nul", "t.json", source(attachment="a\x00.pdf"), ("error", "bare file name")),
    ("json-id-traversal", "t.json", j(id="../../x"), ("error", "should match pattern")),
    ("json-id-unicode", "t.json", j(id="ﬀt-1"), ("error", "should match pattern")),
    ("json-id-too-long", "t.json", j(id="x" * 129), ("error", "should match pattern")),
    ("json-id-collision", "t.json", b"[" + j(id="h-c") + b"," + j(id="h-c", responses=11) + b"]",
     ("error", "duplicate id h-c")),
    ("json-id-repeat-same", "t.json", b"[" + j(id="h-same") + b"," + j(id="h-same") + b"]",
     ("stored", {"id": "h-same"})),
    ("json-id-collides-with-stored", "t.json", j(id="stored-1", responses=99), ("error", "use --correct")),
    ("json-kind-object", "t.json", j(kind={"$ne": 1}), ("error", "unknown kind")),
    ("json-proto-key", "t.json", j(__proto__={"admin": True}), ("error", "is not a field of this kind")),
    ("json-notes-too-long", "t.json", j(notes="x" * 20_001), ("error", "at most 20000 characters")),
    ("json-org-lowercase", "t.json", j(org="rx1"), ("error", "should match pattern")),
    ("json-org-unknown", "t.json", j(org="RX9"), ("error", "unknown organisation 'RX9'")),
    ("json-future-period", "t.json", j(period_start="2999-01-01", period_end="2999-01-31"), ("error", "future")),
    ("json-impossible-date", "t.json", j(period_start="2025-02-30"), ("error", "is not a date")),
    ("json-period-reversed", "t.json", j(period_end="2024-01-01"), ("error", "before period_start")),
    # --- YAML ---
    ("yaml-truncated", "t.yaml", b"- {kind: fft_monthly, id: h-1, org: [RX1", ("error", "malformed YAML")),
    ("yaml-tabs", "t.yaml", b"kind: fft_monthly\n\tid: h-1\n", ("error", "malformed YAML")),
    ("yaml-python-apply", "t.yaml", f"!!python/object/apply:os.system ['touch {MARKER}']\n".encode(),
     ("error", "could not determine a constructor")),
    ("yaml-python-new", "t.yaml", b"x: !!python/object/new:subprocess.Popen [['id']]\n",
     ("error", "could not determine a constructor")),
    ("yaml-python-name", "t.yaml", YAML_ITEM.encode() + b"notes: !!python/name:os.system\n",
     ("error", "could not determine a constructor")),
    ("yaml-python-module", "t.yaml", b"- !!python/module:os\n", ("error", "could not determine a constructor")),
    ("yaml-custom-tag", "t.yaml", YAML_ITEM.encode() + b"notes: !include /etc/passwd\n",
     ("error", "could not determine a constructor")),
    ("yaml-billion-laughs", "t.yaml", LAUGHS, ("error", "expands (through aliases)")),
    ("yaml-deep-nesting", "t.yaml", b"a: " + b"[" * 100_000 + b"]" * 100_000, ("error", "nested too deeply")),
    ("yaml-deep-mapping", "t.yaml", "".join(" " * i + "k:\n" for i in range(1500)).encode(),
     ("error", "nested too deeply")),
    ("yaml-duplicate-key", "t.yaml", YAML_ITEM.encode() + b"responses: 11\n", ("error", "duplicate key")),
    ("yaml-recursive-alias", "t.yaml", YAML_ITEM.encode() + b"notes: &a [*a]\n", ("error", "valid string")),
    ("yaml-norway", "t.yaml", YAML_ITEM.replace("org: RX1", "org: NO").encode(), ("error", "valid string")),
    ("yaml-lone-surrogate", "t.yaml", YAML_ITEM.encode() + b'notes: "\\udc80"\n', ("error", "valid string")),
    ("yaml-utf16", "t.yaml", YAML_ITEM.encode("utf-16"), ("error", "not UTF-8")),
    ("yaml-nan", "t.yaml", YAML_ITEM.encode() + b"percentage_positive: .nan\n", ("error", "finite number")),
    ("yaml-inf", "t.yaml", YAML_ITEM.encode() + b"percentage_negative: -.inf\n", ("error", "finite number")),
    ("yaml-scalar-document", "t.yaml", b"--- just text\n", ("error", "expected a mapping or a list")),
    ("yaml-5MB", "t.yaml", lambda p: big(p, b"# ", b" " * 1000, 5_000, b"\n"), ("error", "4,194,304-byte limit")),
    ("yaml-million-items", "t.yaml", lambda p: big(p, b"", b"- {}\n", 10**6), ("error", "4,194,304-byte limit")),
    ("yaml-html-and-formula", "t.yaml",
     YAML_ITEM.replace("h-1", "h-yaml").encode() + b"notes: \"=cmd|' /C calc'!A0 <b onmouseover=alert(1)>\"\n",
     ("stored", {"notes": "=cmd|' /C calc'!A0 <b onmouseover=alert(1)>"})),
    # --- CSV ---
    ("csv-truncated-quote", "t.csv", f'{CSV_HEAD}\n{CSV_ROW}"unterminated'.encode(), ("error", "unexpected end")),
    ("csv-header-only", "t.csv", f"{CSV_HEAD}\n".encode(), ("error", "contains no evidence items")),
    ("csv-empty", "t.csv", b"", ("error", "contains no evidence items")),
    ("csv-utf16", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}x\n".encode("utf-16"), ("error", "not UTF-8")),
    ("csv-bom", "t.csv", f"\ufeff{CSV_HEAD}\n{CSV_ROW}x\n".replace("h-1", "h-csvbom").encode(),
     ("stored", {"id": "h-csvbom", "notes": "x"})),
    ("csv-nul", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}a\x00b\n".replace("h-1", "h-csvnul").encode(),
     ("stored", {"notes": "a\x00b"})),
    ("csv-formula-text", "t.csv", f'{CSV_HEAD}\n{CSV_ROW}"=1+2,@SUM(A1),-3+4,+5"\n'.replace("h-1", "h-csvf").encode(),
     ("stored", {"notes": "=1+2,@SUM(A1),-3+4,+5"})),
    ("csv-formula-number", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}x\n".replace(",10,100,", ",=1+2,100,").encode(),
     ("error", "valid integer")),
    ("csv-5000-digit-count", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}x\n".replace(",10,100,", f",{'9' * 5000},100,").encode(),
     ("error", "exceeded maximum size")),
    ("csv-1e999", "t.csv", f"{CSV_HEAD},percentage_positive\n{CSV_ROW}x,1e999\n".encode(), ("error", "finite number")),
    ("csv-nan", "t.csv", (f"{CSV_HEAD},percentage_positive\n{CSV_ROW}x,NaN\n").encode(), ("error", "finite number")),
    ("csv-inf", "t.csv", (f"{CSV_HEAD},percentage_positive\n{CSV_ROW}x,-inf\n").encode(), ("error", "finite number")),
    ("csv-huge-field", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}{'x' * 200_000}\n".encode(), ("error", "field larger than")),
    ("csv-ragged", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}x,extra\n".encode(), ("error", "cells but the header has")),
    ("csv-duplicate-header", "t.csv", f"{CSV_HEAD},notes\n{CSV_ROW}x,y\n".encode(), ("error", "named twice")),
    ("csv-formula-header", "t.csv", f"{CSV_HEAD},=cmd|' /C calc'!A0\n{CSV_ROW}x,y\n".encode(),
     ("error", "is not a field of fft_monthly")),
    ("csv-million-rows", "fft_monthly-big.csv", lambda p: big(
        p, b"id,org,period_start,source.title,setting,responses\n", b"f,RX1,2025-01-01,T,ae,1\n", 10**6),
     ("error", "more than 100,000 records")),
    ("csv-id-collision", "t.csv", f"{CSV_HEAD}\n{CSV_ROW}a\n{CSV_ROW}b\n".encode(), ("error", "duplicate id h-1")),
    ("csv-attachment-traversal", "t.csv",
     f"{CSV_HEAD},source.attachment\n{CSV_ROW}x,../../../etc/shadow\n".encode(), ("error", "bare file name")),
    ("csv-html", "t.csv", f'{CSV_HEAD}\n{CSV_ROW.replace("h-1", "h-csvh")}"<iframe src=javascript:x>"\n'.encode(),
     ("stored", {"notes": "<iframe src=javascript:x>"})),
]  # fmt: skip


@pytest.fixture(scope="module")
def shared_store(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store per back end for the whole corpus: rejected files must leave it exactly as it was."""
    url = module_store_url
    init_db(url)
    for code in ("RX1", "RX2"):
        assert cli(url, "org", "add", code, "--name", f"Trust {code}", "--type", "acute").exit_code == 0
    seed = tmp_path_factory.mktemp("seed") / "seed.json"
    seed.write_bytes(j(id="stored-1"))
    assert cli(url, "evidence", "import", str(seed)).exit_code == 0
    return url


def _dig(payload: dict[str, Any], dotted: str) -> Any:
    value: Any = payload
    for part in dotted.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize(("name", "content", "expect"),
                         [pytest.param(f, c, e, id=i) for i, f, c, e in CASES])  # fmt: skip
def test_hostile_evidence_file(
    shared_store: str, tmp_path: Path, name: str, content: Maker, expect: tuple[str, Any]
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    before = snapshot(shared_store)
    result = cli(shared_store, "evidence", "import", str(path), "--json")
    assert not Path(MARKER).exists(), "a YAML tag was executed"
    outcome, detail = expect
    if outcome == "error":
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert detail in result.output, result.output[:2000]
        assert snapshot(shared_store) == before, "a rejected import changed the store or the audit chain"
        return
    assert result.exit_code == 0, result.output
    for evidence_id in json.loads(result.stdout)["ids"]:
        shown = cli(shared_store, "evidence", "show", evidence_id, "--json")
        payload = json.loads(shown.stdout)["payload"]
        for field, value in detail.items():
            assert _dig(payload, field) == value, (field, payload)


def test_the_chain_verifies_after_the_whole_corpus(shared_store: str) -> None:
    report = verify_store(shared_store)
    assert report.ok, report.problems[:3]


# --- rule files are data ------------------------------------------------------------------------------------

EXECUTABLE_YAML = [
    f"!!python/object/apply:os.system ['touch {MARKER}']\n",
    f"sub_requirement: 1A\nlevels: !!python/object/apply:os.system ['touch {MARKER}']\n",
    "sub_requirement: !!python/name:os.system\n",
    "sub_requirement: 1A\nnotes: !!python/object/new:subprocess.Popen [['id']]\n",
    "sub_requirement: 1A\ntitle: !!python/module:os\n",
    "sub_requirement: 1A\nlevels: {1: [{because: x, when: !!python/object:collections.OrderedDict {}}]}\n",
    "a: &a [*a, *a]\nsub_requirement: 1A\n",
    "[" * 50_000 + "]" * 50_000,
]


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(rules_dir(), root)
    return root


@pytest.mark.parametrize("text", EXECUTABLE_YAML, ids=[f"rule-{n}" for n in range(len(EXECUTABLE_YAML))])
def test_a_rule_file_is_never_executed(rules_copy: Path, text: str) -> None:
    target = next(p for p in sorted(rules_copy.rglob("1A.yaml")))
    original = target.read_bytes()
    try:
        target.write_text(text, encoding="utf-8")
        with pytest.raises(RuleError):
            load_rulepack(rules_copy)
    finally:
        target.write_bytes(original)
    assert not Path(MARKER).exists()


@pytest.mark.parametrize(
    "text",
    [*EXECUTABLE_YAML[:3], EXECUTABLE_YAML[-1], "a: " + "{a: " * 3000 + "1" + "}" * 3000, "\x00"],
    ids=["catalogue-apply", "catalogue-levels", "catalogue-name", "catalogue-deep-list", "catalogue-deep-map",
         "catalogue-nul"],
)  # fmt: skip
def test_the_catalogue_is_never_executed(rules_copy: Path, text: str) -> None:
    from pxrules.rules.catalogue import load_catalogue

    catalogue = rules_copy / "framework.yaml"
    original = catalogue.read_bytes()
    try:
        catalogue.write_text(text, encoding="utf-8")
        with pytest.raises(CatalogueError):
            load_catalogue(catalogue)
        with pytest.raises((CatalogueError, RuleError)):
            load_rulepack(rules_copy)
    finally:
        catalogue.write_bytes(original)
    assert not Path(MARKER).exists()
