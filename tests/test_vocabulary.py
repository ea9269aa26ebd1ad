"""Closed vocabularies: codes the rules read are enumerated with labels; unknown codes are refused with a
did-you-mean naming file, row or line, and field; nothing is stored; codes stored before still read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.evidence import KIND_MODELS, parse_evidence
from pxrules.evidence.schema import kind_schema
from pxrules.evidence.vocabulary import label
from pxrules.evidence.vocabulary_codes import AGENDA_ITEMS, DOCUMENT_CONTENTS, VOCABULARIES

runner = CliRunner()
BOARD = {"kind": "board_meeting", "id": "bm-1", "org": "RX1", "period_start": "2025-03-12",
         "source": {"title": "Board papers"}, "agenda": ["strategy_progress", "strategy_update"]}
DOC = {"kind": "document", "id": "doc-1", "org": "RX1", "period_start": "2025-01-10", "source": {"title": "Plan"},
       "doc_type": "px_stratgey", "title": "PX strategy", "status": "draft"}


def _validate(path: Path) -> Any:
    return runner.invoke(app, ["evidence", "validate", str(path)])


def test_json_names_the_item_and_field_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text(json.dumps([BOARD]), encoding="utf-8")
    result = _validate(path)
    assert result.exit_code == 1
    assert ("board.json item 1: agenda.1: unknown agenda item 'strategy_update' (did you mean strategy_progress?)"
            in result.output)


def test_yaml_names_the_line_and_field_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "docs.yaml"
    path.write_text("- " + json.dumps(DOC) + "\n", encoding="utf-8")
    result = _validate(path)
    assert result.exit_code == 1
    assert "docs.yaml item 1 (line 1): doc_type: unknown document type 'px_stratgey' (did you mean px_strategy" \
        in result.output


def test_csv_names_the_row_and_field_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "web.csv"
    path.write_text("kind,id,org,period_start,source.title,page,found,clicks_from_home,checked_by,content_flags\n"
                    "website_check,w1,RX1,2025-02-01,Check,complaints,true,1,PX team,how_to_complain;advocacy_info\n",
                    encoding="utf-8")
    result = _validate(path)
    assert result.exit_code == 1
    assert "web.csv line 2: content_flags.1: unknown content flag 'advocacy_info' (did you mean advocacy?)" \
        in result.output


def test_a_misspelt_setting_or_presenter_also_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_text(json.dumps({**BOARD, "agenda": [], "patient_story": True, "story_presenter": "patiant"}))
    result = _validate(path)
    assert "story_presenter: Input should be" in result.output and "(did you mean patient?)" in result.output


def test_import_refuses_the_file_whole_and_stores_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'px.db'}"
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", db, "org", "add", "RX1", "--name", "T", "--type", "acute"]).exit_code == 0
    good = {**BOARD, "id": "bm-0", "agenda": ["strategy_progress"]}
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([good, BOARD]), encoding="utf-8")
    result = runner.invoke(app, ["--db", db, "--by", "tester", "evidence", "import", str(path)])
    assert result.exit_code == 1 and "did you mean strategy_progress?" in result.output
    listed = runner.invoke(app, ["--db", db, "evidence", "list", "--org", "RX1", "--json"])
    assert json.loads(listed.stdout) == []


def test_codes_stored_before_the_vocabulary_closed_still_read() -> None:
    old = {**BOARD, "agenda": ["strategy_progress", "board_development"]}
    with pytest.raises(ValueError, match="unknown agenda item 'board_development'"):
        parse_evidence(old)
    item = parse_evidence(old, stored=True)
    assert item.agenda == ["strategy_progress", "board_development"]  # kept as stored: the hash stays
    assert label("board_meeting.agenda", "board_development") == "board_development (not a recognised agenda item)"


def test_every_code_has_a_plain_english_label_and_prefixed_codes_read_too() -> None:
    for vocab in VOCABULARIES.values():
        assert vocab.labels and all(text.strip() and text[0].isupper() for text in vocab.labels.values()), vocab.field
    assert label("board_meeting.agenda", "complaints_report") == "Complaints report"
    assert DOCUMENT_CONTENTS.known("px_example.discharge_lounge")
    assert label("document.contents", "px_example.discharge_lounge") == \
        "Gives an improvement with its result: discharge lounge"
    assert not DOCUMENT_CONTENTS.known("px_example.") and not DOCUMENT_CONTENTS.known("px_example.Bad Name")


def test_schemas_enumerate_every_code_and_describe_exactly_those() -> None:
    for field, vocab in VOCABULARIES.items():
        kind, name = field.split(".")
        prop = kind_schema(kind)["properties"][name]
        text = json.dumps(prop)
        for value in vocab.labels:
            assert f'"{value}"' in text, (field, value)
        described = prop["description"].split(": ", 1)[1].rstrip(".").split(", ")
        assert described == vocab.described().split(", "), field
    # The agenda's description no longer lists keys nothing reads, and lists those the rules do.
    agenda = json.dumps(kind_schema("board_meeting")["properties"]["agenda"])
    assert '"board_development"' not in agenda and '"strategy_approval"' not in agenda
    assert {"strategy_progress", "complaints_report"} <= set(AGENDA_ITEMS.labels)


@pytest.mark.parametrize("kind", sorted({f.split(".")[0] for f in VOCABULARIES}))
def test_closed_fields_are_the_models_fields(kind: str) -> None:
    fields = KIND_MODELS[kind].model_fields
    for field in VOCABULARIES:
        if field.startswith(f"{kind}."):
            assert field.split(".")[1] in fields


def test_labels_are_importable_from_the_package() -> None:
    from pxrules.evidence import vocabulary_codes

    assert callable(label) and isinstance(vocabulary_codes.VOCABULARIES, dict)
    _: Callable[[str, str], str] = label


def test_the_survey_maps_keys_are_read_as_the_yaml_gives_them() -> None:
    import yaml

    from pxrules.evidence.vocabulary_surveys import _MAPS, _mapped_keys

    nss = yaml.safe_load((_MAPS / "nss.yaml").read_text(encoding="utf-8"))
    entries = list(nss["measures"].values()) + [q for year in nss["questions"].values() for q in year.values()]
    expected = {f"nss.{q['key']}": q["wording"] for q in entries}
    npsp = yaml.safe_load((_MAPS / "npsp.yaml").read_text(encoding="utf-8"))
    for survey in npsp["surveys"].values():
        for year in survey["years"].values():
            for q in (year.get("questions") or {}).values():
                expected.setdefault(f"{survey['key_prefix']}.{q['key']}", q["wording"])
    found = _mapped_keys()
    assert set(found) == set(expected)
    assert all(found[k].strip("'\"") == v for k, v in expected.items())
