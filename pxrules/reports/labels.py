"""Board-facing wording: labels for evidence kinds, flags and vocabulary keys, and numbers as people write them.

Internal keys (evidence kinds, measure names, vocabulary values, hashes) stay in `--json` and in the technical
appendix; everything a board reads passes through here. Labels come from where things are defined (evidence
kinds: the evidence registry; measures: their registered description); keys nobody has labelled yet are
written as words (underscores to spaces), never shown raw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from pxrules.board.compare import AGREED, NOT_SCORED, OVER, UNDER, UNEVIDENCED
from pxrules.evidence import KIND_LABELS

# What the flag means, in words, and the shape shown beside it so colour is never the only signal.
FLAG_LABELS = {
    OVER: "Over-claim",
    UNDER: "Under-claim",
    UNEVIDENCED: "Not evidenced",
    AGREED: "Agreed",
    NOT_SCORED: "Not scored",
}
FLAG_SYMBOLS = {OVER: "▲", UNDER: "▼", UNEVIDENCED: "?", AGREED: "✓", NOT_SCORED: "–"}
FLAG_MEANINGS = {
    OVER: "the board's score is two or more points above the evidence, and recorded evidence shows the lower level",
    UNDER: "the board's score is two or more points below the evidence",
    UNEVIDENCED: "the register holds nothing yet that bears on the board's score (evidence to record, not a "
    "contradiction)",
    AGREED: "within one point of the evidence",
    NOT_SCORED: "the board gave no score",
}

SURVEY_LABELS = {
    "nss": "NHS Staff Survey",
    "npsp_inpatient": "Adult Inpatient Survey",
    "npsp_ue": "Urgent and Emergency Care Survey",
    "npsp_maternity": "Maternity Survey",
    "npsp_cyp": "Children and Young People's Survey",
    "npsp_community_mh": "Community Mental Health Survey",
    "npsp_outpatient": "Outpatient Survey",
    "nof": "NHS Oversight Framework",
    "place": "PLACE assessment",
    "local": "local survey",
}
# Prefixes of dotted keys (benchmarks, survey questions): `nss.safe_to_speak_up`, `npsp.ip.dignity_respect`.
PREFIX_LABELS = {
    "nss": "NHS Staff Survey",
    "npsp.ip": "Adult Inpatient Survey",
    "npsp.ue": "Urgent and Emergency Care Survey",
    "npsp.mat": "Maternity Survey",
    "npsp.cyp": "Children and Young People's Survey",
    "npsp": "national patient survey",
    "fft": "Friends and Family Test",
    "ko41a": "KO41a complaints return",
    "nof": "NHS Oversight Framework",
}
# Words that are abbreviations or names and keep their capitals when a key is written as words.
WORDS = {
    "fft": "FFT",
    "ae": "A&E",
    "pals": "PALS",
    "qi": "QI",
    "ebcd": "EBCD",
    "pdsa": "PDSA",
    "sms": "SMS",
    "qr": "QR",
    "cqc": "CQC",
    "nhs": "NHS",
    "cip": "CIP",
    "pid": "PID",
    "mh": "mental health",
    "cyp": "children and young people",
    "ip": "inpatient",
}
# Vocabulary values whose words alone would read oddly.
VALUE_LABELS = {
    "dont_know": "don't know",
    "easy_read": "Easy Read",
    "language_line": "LanguageLine",
    "care_opinion": "Care Opinion",
    "you_said_we_did": "'you said, we did'",
    "fft_digital": "digital FFT",
    "fft_results": "FFT results",
    "about_same": "about the same",
    "duty_of_candour": "duty of candour",
    "tablet_kiosk": "tablet or kiosk",
}

_URL = re.compile(r"https?://\S+")
_QUESTION = re.compile(r"^(nss|npsp_[a-z]+|npsp)_q(\d+[a-z]?)_(\w+)$")
# A key: lower-case words joined by `_` (and `.` between parts), at least one `_` or a dotted prefix we know.
_KEY = re.compile(r"(?<![\w/@-])([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?![\w/@-])")
_HASH = re.compile(r"\b[0-9a-f]{12,64}\b")


def words(key: str) -> str:
    """A key as words: `customer_care` -> 'customer care', `fft_ae` -> 'FFT A&E'."""
    return " ".join(WORDS.get(w, w) for w in re.split(r"[_.]+", key) if w)


def kind_label(kind: str) -> str:
    """An evidence kind as the board reads it."""
    return KIND_LABELS.get(kind, words(kind))


def kinds_label(kinds: Iterable[str], *, skip_attestation: bool = True) -> str:
    """A list of evidence kinds in words, e.g. for 'evidence that would support it'."""
    return ", ".join(kind_label(k) for k in kinds if not (skip_attestation and k == "attestation"))


@cache
def _vocabulary_labels() -> dict[str, str]:
    """Every code of the evidence fields' closed vocabularies with its label (evidence/vocabulary_codes.py)."""
    from pxrules.evidence.vocabulary_codes import VOCABULARIES

    out: dict[str, str] = {}
    for vocabulary in VOCABULARIES.values():
        for code, label in vocabulary.labels.items():
            out.setdefault(code, label)
    return out


def _vocabulary_prefixed(key: str) -> str | None:
    from pxrules.evidence.vocabulary_codes import VOCABULARIES

    for vocabulary in VOCABULARIES.values():
        if any(key.startswith(p) and key != p for p in vocabulary.prefixes) and vocabulary.known(key):
            return vocabulary.label(key)
    return None


def key_label(key: str) -> str:
    """Any internal key (vocabulary value, survey question, benchmark metric, kind) as words: the label its
    vocabulary gives it, else ours, else its words."""
    if key in VALUE_LABELS:
        return VALUE_LABELS[key]
    vocabulary = _vocabulary_labels().get(key) or _vocabulary_prefixed(key)
    if vocabulary:
        return vocabulary
    if key in KIND_LABELS:
        return KIND_LABELS[key]
    if key in SURVEY_LABELS:
        return SURVEY_LABELS[key]
    question = _QUESTION.match(key)
    if question:
        survey = SURVEY_LABELS.get(question.group(1), words(question.group(1)))
        return f"{survey} Q{question.group(2)} ({words(question.group(3))})"
    for prefix in sorted(PREFIX_LABELS, key=len, reverse=True):
        if key.startswith(prefix + "."):
            return f"{PREFIX_LABELS[prefix]}: {words(key[len(prefix) + 1 :])}"
    return words(key)


def is_key(token: str) -> bool:
    """True for what looks like an internal key: words joined by `_`, or a dotted key with a known prefix
    (so 'e.g' and 'i.e' are words, not keys)."""
    return "_" in token or any(token.startswith(p + ".") for p in PREFIX_LABELS)


def _label_match(match: re.Match[str]) -> str:
    token = match.group(1)
    return key_label(token) if is_key(token) else token


def plain(text: str) -> str:
    """A sentence for the board: every internal key in it written as its label (web addresses kept)."""
    parts: list[str] = []
    last = 0
    for url in _URL.finditer(text):
        parts.append(_KEY.sub(_label_match, text[last : url.start()]))
        parts.append(url.group(0))
        last = url.end()
    parts.append(_KEY.sub(_label_match, text[last:]))
    return "".join(parts)


def internal_keys(text: str) -> list[str]:
    """The internal keys and hashes left in board-facing text (what the tests look for)."""
    bare = _URL.sub("", text)
    return [m.group(1) for m in _KEY.finditer(bare) if is_key(m.group(1))] + _HASH.findall(bare)


def percent(share: float, places: int = 0) -> str:
    """A share (0-1) as people write it: 0.583 -> '58%'."""
    return f"{share * 100:.{places}f}%"


def number(value: Any, unit: str | None = None) -> str:
    """A measured value as people write it, given its unit (shares as percentages, yes/no for booleans)."""
    if value is None:
        return "no evidence"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "share" and isinstance(value, int | float):
        return percent(float(value))
    if isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
        return text.removesuffix(".0")
    if isinstance(value, int):
        return f"{value:,}"
    return key_label(str(value))


_OPS = {"gte": "{} or more", "gt": "more than {}", "lte": "{} or less", "lt": "less than {}", "eq": "{}",
        "neq": "anything but {}"}


def unmet_sentence(unmet: Mapping[str, Any]) -> str:
    """One condition of the next level, for the board: 'Share of ...: needs 80% or more (now 75%)'."""
    from pxrules.measures import MEASURES

    spec = MEASURES.get(str(unmet.get("measure", "")))
    unit = spec.unit if spec else None
    what = spec.description if spec else words(str(unmet.get("measure", "")))
    threshold, current = unmet.get("threshold"), unmet.get("current")
    if isinstance(threshold, bool):
        wanted = "needs to be in place" if threshold else "needs not to be"
        now = "no evidence" if current is None else ("now yes" if current else "now no")
        return plain(f"{what}: {wanted} ({now})")
    need = _OPS.get(str(unmet.get("op")), "{}").format(number(threshold, unit))
    now = "no evidence yet" if current is None else f"now {number(current, unit)}"
    return plain(f"{what}: needs {need} ({now})")


def next_level_sentences(next_level: Mapping[str, Any] | None) -> list[str]:
    """What is missing for the level above, in board wording (from the stored unmet conditions)."""
    if not next_level:
        return []
    unmet = next_level.get("unmet") or []
    if unmet:
        return [unmet_sentence(u) for u in unmet]
    return [plain(s) for s in next_level.get("sentences", [])]


def cap_sentence(cap: str, kinds: Iterable[str]) -> str:
    """A cap note for the board ('capped at 2: ... attestation only; ...') with the kinds in words."""
    head = cap.split(";", 1)[0]
    measured = kinds_label(kinds)
    return plain(head) + (f"; measured evidence ({measured}) is needed to score higher" if measured else "")
