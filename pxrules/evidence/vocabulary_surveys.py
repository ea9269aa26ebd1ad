"""Survey and benchmark codes: stable question keys, survey breakdown groups and benchmarked figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from pxrules.evidence.vocabulary import Vocabulary, code

# The survey question maps the importers use (pxrules/data/surveys): every key they map is a known code.
# They are read with two patterns rather than PyYAML, which a warm start of pxrules never imports (a test
# checks that this reading equals the YAML parse of both files).
_MAPS = Path(__file__).resolve().parent.parent / "data" / "surveys"
_NSS_ENTRY = re.compile(r"\{key: ([a-z0-9_]+), wording: \"([^\"]*)\"\}")
_NPSP_LINE = re.compile(r"^\s*(key_prefix|key|wording): (.*)$")


def _mapped_keys() -> dict[str, str]:
    """question_key -> wording of every question the shipped survey maps name."""
    found: dict[str, str] = {}
    nss, npsp = _MAPS / "nss.yaml", _MAPS / "npsp.yaml"
    if nss.is_file():
        for key, wording in _NSS_ENTRY.findall(nss.read_text(encoding="utf-8")):
            found.setdefault(f"nss.{key}", wording or key)
    if npsp.is_file():
        prefix, key = "", ""
        for line in npsp.read_text(encoding="utf-8").splitlines():
            m = _NPSP_LINE.match(line)
            if not m:
                continue
            name, value = m.group(1), m.group(2).strip()
            if name == "key_prefix":
                prefix = value
            elif name == "key":
                key = value
                found.setdefault(f"{prefix}.{key}", key)
            elif key and found.get(f"{prefix}.{key}") == key:
                found[f"{prefix}.{key}"] = value
    return found


# A patient-survey question with no stable key yet is kept under a key bound to its year; no rule reads it.
_UNMAPPED_NPSP = r"npsp\.(ip|ue|maternity|cmh|cyp)\.\d{4}_q\d+(_\d+)?"

# Staff-survey question numbers move between years (Q21 -> Q23 -> Q25 for one item), so evidence is keyed
# by these stable keys plus the wave; the labels give the item's wording in short.
_NSS = {
    "nss.engagement": "Staff engagement (theme score)",
    "nss.raising_concerns": "Raising concerns (sub-score)",
    "nss.compassionate_leadership": "Compassionate leadership",
    "nss.compassionate_culture": "Compassionate culture",
    "nss.safe_to_speak_up": "Staff feel safe to speak up about anything that concerns them",
    "nss.involved_in_changes": "Staff are involved in deciding on changes that affect their work",
    "nss.make_improvements": "Staff are able to make improvements happen in their area of work",
    "nss.suggest_improvements": "Staff are able to make suggestions to improve their work",
    "nss.care_top_priority": "Care of patients is the organisation's top priority",
    "nss.acts_on_concerns": "The organisation acts on concerns raised by patients",
    "nss.recognition": "Staff are satisfied with the recognition they get for good work",
    "nss.enough_staff": "There are enough staff to do the job properly",
    "nss.appraisal": "Staff had an appraisal in the last 12 months",
    "nss.errors_treated_fairly": "Staff involved in errors are treated fairly",
    "nss.learning_access": "Staff can access the learning and development they need",
    "nss.feedback_on_incident_changes": "Staff are given feedback about changes made after incidents",
    "nss.patient_feedback_used": "Patient feedback is used to make informed decisions",
}
_NPSP_SURVEYS = {"ip": "inpatient", "ue": "urgent and emergency care", "maternity": "maternity",
                 "cmh": "community mental health", "cyp": "children and young people's"}
_NPSP_ITEMS = {
    "involved_in_decisions": "involved as much as wanted in decisions about care and treatment",
    "understood_what_to_expect": "knew what to expect from their care",
    "family_involved": "family or carers involved as much as they wanted",
    "emotional_support": "got enough emotional support",
    "dignity_respect": "treated with dignity and respect",
    "overall": "overall experience",
    "asked_for_feedback": "asked for their views on the quality of care",
}
QUESTION_KEYS = Vocabulary("survey_question.question_key", "question key", {
    **_NSS,
    **{f"npsp.{s}.{i}": f"{sw.capitalize()} survey: {iw}" for s, sw in _NPSP_SURVEYS.items()
       for i, iw in _NPSP_ITEMS.items()},
    "local.values_awareness": "Local survey: staff can name or apply the trust values",
    **{k: v for k, v in _mapped_keys().items() if k not in _NSS},
}, prefixes={"nof.": "NHS Oversight Framework metric"},
   patterns={_UNMAPPED_NPSP: "A national patient survey question of one year, kept as published"})

SURVEY_GROUPS = Vocabulary("survey_question.group", "survey breakdown group", {
    "staff:medical_dental": "Medical and dental staff",
    "staff:nursing_midwifery": "Registered nurses and midwives",
}, prefixes={"setting:": "Care setting"})

_FFT_SETTINGS = {"inpatient": "inpatient", "ae": "A&E", "maternity_antenatal": "maternity antenatal",
                 "maternity_birth": "maternity birth", "maternity_postnatal_ward": "maternity postnatal ward",
                 "maternity_postnatal_community": "maternity postnatal community", "outpatient": "outpatient",
                 "community": "community", "mental_health": "mental health", "ambulance": "ambulance"}
_FFT_FIGURES = {"response_rate": "FFT response rate", "percentage_positive": "FFT percentage positive",
                "percentage_negative": "FFT percentage negative", "responses": "FFT responses"}
_KO41A_FIGURES = {"upheld_share": "Complaints upheld (share)",
                  "upheld_or_partially_share": "Complaints upheld or partly upheld (share)",
                  "received": "Written complaints received"}
_ORG_TYPES = {"acute": "acute trusts", "community": "community trusts", "mental-health": "mental health trusts",
              "ambulance": "ambulance trusts", "other": "other organisations", "all": "all organisations"}
BENCHMARK_MEASURES = Vocabulary("benchmark.measure", "benchmark measure", {
    **{f"fft.{f}.{s}": f"{fw}, {sw} (England)" for f, fw in _FFT_FIGURES.items() for s, sw in _FFT_SETTINGS.items()},
    **{f"ko41a.{f}.{t}": f"{fw}, {tw}" for f, fw in _KO41A_FIGURES.items() for t, tw in _ORG_TYPES.items()},
    # Survey benchmarks (national or peer figures for one question) carry the question's key.
    **{k: f"Peer figures: {v}" for k, v in QUESTION_KEYS.labels.items() if k.startswith(("nss.", "npsp."))},
}, patterns={_UNMAPPED_NPSP: "Peer figures for a national patient survey question of one year"})

if TYPE_CHECKING:
    BenchmarkMeasure = str
    QuestionKey = str
    SurveyGroup = str
else:
    BenchmarkMeasure = code(BENCHMARK_MEASURES)
    QuestionKey = code(QUESTION_KEYS)
    SurveyGroup = code(SURVEY_GROUPS)
