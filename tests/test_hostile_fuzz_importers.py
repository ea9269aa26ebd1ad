"""Fuzzing every importer and `audit verify --bundle`: random bytes and random workbook parts give either an
import or one clean error (first line "error: ...", no traceback, no hang, the store unchanged).

The importers are found at run time (every command under `pxrules import`, plus the evidence register's,
the self-assessment's and the offline bundle check), so one added later is fuzzed at once. Each case runs
under an alarm: a reader that blocks or loops fails the test instead of hanging it.
"""

from __future__ import annotations

import io
import json
import signal
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from audit_support import cli, snapshot
from fft_workbooks import Sheet, build_workbook
from hostile_files import SUFFIX, reading_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pxrules.store.db import dispose_engines, init_db

COMMANDS = reading_commands()
WORKBOOK_COMMANDS = sorted(name for name, suffix in SUFFIX.items() if suffix == ".xlsx" and name in COMMANDS)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
               print_blob=False)
SECONDS_PER_CASE = 30


class Hang(Exception):
    """A case ran past SECONDS_PER_CASE."""


@contextmanager
def bounded(seconds: int = SECONDS_PER_CASE) -> Iterator[None]:
    def ring(_signum: int, _frame: Any) -> None:
        raise Hang(f"a case took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz-store') / 'x.db'}"
    init_db(url)
    assert cli(url, "org", "add", "RX1", "--name", "Trust", "--type", "acute").exit_code == 0
    assert cli(url, "org", "add", "ZZ1", "--name", "Fictional", "--type", "acute").exit_code == 0
    yield url
    dispose_engines()


class Book(bytes):
    def __repr__(self) -> str:
        return f"<valid workbook, {len(self)} bytes>"


@pytest.fixture(scope="module")
def valid_workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    trust = {"icb": "QZZ", "org": "ZZ1", "org_name": "FICTIONAL NHS TRUST", "responses": 1200, "eligible": 4800,
             "percentage_positive": 0.94, "percentage_negative": 0.03}
    path = tmp_path_factory.mktemp("book") / "f.xlsx"
    build_workbook(path, [Sheet("Trusts", "trust", [trust])],
                   title="Inpatient Friends and Family Test (FFT) Data - March 2025")
    return Book(path.read_bytes())


@pytest.fixture(scope="module")
def valid_bundle(store: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("bundle") / "b.json"
    assert cli(store, "audit", "export", str(path)).exit_code == 0
    return Book(path.read_bytes())


def _run(store: str, name: str, path: Path) -> None:
    before = snapshot(store)
    with bounded():
        result = cli(store, *[a.format(file=path) for a in COMMANDS[name]])
    assert result.exit_code in (0, 1), (name, result.exit_code, result.output[:1000], repr(result.exception))
    if result.exit_code == 1:
        assert isinstance(result.exception, SystemExit), (name, repr(result.exception), result.output[:1000])
        first = result.output.splitlines()[0] if result.output else ""
        assert first.startswith("error: "), (name, result.output[:1000])
        assert "Traceback" not in result.output
        assert snapshot(store) == before, f"{name}: a rejected input changed the store"


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(sorted(COMMANDS)))
def test_random_bytes_to_every_reader(store: str, tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                      name: str) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"in{SUFFIX.get(name, '.csv')}"
    path.write_bytes(data)
    _run(store, name, path)


def _mutated(book: bytes, part: int, how: str, junk: bytes, cut: float) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        infos = src.infolist()
        chosen = infos[part % len(infos)]
        for info in infos:
            data = src.read(info)
            if info is chosen:
                if how == "replace":
                    data = junk
                elif how == "truncate":
                    data = data[: int(len(data) * cut)]
                elif how == "splice":
                    at = int(len(data) * cut)
                    data = data[:at] + junk + data[at:]
                elif how == "drop":
                    continue
                elif how == "move":
                    dst.writestr("xl/elsewhere/" + info.filename.rsplit("/", 1)[-1], data)
                    continue
                elif how == "stored":
                    dst.writestr(zipfile.ZipInfo(info.filename), data, compress_type=zipfile.ZIP_STORED)
                    continue
            dst.writestr(info, data)
    raw = out.getvalue()
    if how == "bitflip":
        at = int(len(raw) * cut) % len(raw)
        raw = raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :]
    return raw


@FUZZ
@given(part=st.integers(min_value=0, max_value=40),
       how=st.sampled_from(["replace", "truncate", "splice", "drop", "move", "stored", "bitflip"]),
       junk=st.binary(max_size=400) | st.sampled_from([b"<row>", b"<f>1+1</f><v></v>", b"&amp;", b"<!DOCTYPE x>"]),
       cut=st.floats(min_value=0, max_value=1), name=st.sampled_from(WORKBOOK_COMMANDS))  # fmt: skip
def test_random_workbook_parts_to_every_workbook_reader(
    store: str, valid_workbook: bytes, tmp_path_factory: pytest.TempPathFactory, part: int, how: str, junk: bytes,
    cut: float, name: str,
) -> None:
    path = tmp_path_factory.mktemp("book") / "in.xlsx"
    path.write_bytes(_mutated(valid_workbook, part, how, junk, cut))
    _run(store, name, path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(data=st.data())
def test_mutated_bundles(store: str, valid_bundle: bytes, tmp_path_factory: pytest.TempPathFactory,
                         data: st.DataObject) -> None:
    bundle = json.loads(valid_bundle)
    paths: list[list[Any]] = []

    def walk(node: Any, at: list[Any]) -> None:
        paths.append(at)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*at, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*at, index])

    walk(bundle, [])
    target = data.draw(st.sampled_from(paths[1:]))
    node = bundle
    for key in target[:-1]:
        node = node[key]
    node[target[-1]] = data.draw(JSON_VALUES)
    path = tmp_path_factory.mktemp("bundle") / "b.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    _run(store, "audit verify --bundle", path)
