"""Leadership measures for the strategy (1A), its delivery plan and review (1B) and public engagement (1C)."""

from __future__ import annotations

from pxrules.evidence.governance import Document
from pxrules.evidence.improvement import ServiceChange
from pxrules.measures.blocks import documents, pct, share_result
from pxrules.measures.leadership import approved_doc, doc_stage, evidence_of, meetings
from pxrules.measures.registry import EvidenceView, Result, measure

# Reports on the strategy go to the board or a committee of it; both count.
REPORTING_BODIES = ("board", "quality_committee", "people_committee", "council_of_governors",
                    "other_committee")
PROGRESS_ITEMS = frozenset({"strategy_progress", "strategy_annual_review"})
# The document types _is_strategy and _is_plan can accept, so they test only documents of these types.
STRATEGY_TYPES = ("px_strategy", "quality_strategy")
PLAN_TYPES = ("delivery_plan", *STRATEGY_TYPES)


def _is_strategy(d: Document) -> bool:
    # The framework accepts a stand-alone strategy or one integrated into the quality strategy.
    return d.doc_type == "px_strategy" or (
        d.doc_type == "quality_strategy" and "patient_experience" in d.contents)


def _is_plan(d: Document) -> bool:
    return d.doc_type == "delivery_plan" or (_is_strategy(d) and "delivery_plan" in d.contents)


def _strategy(view: EvidenceView) -> Document | None:
    """The current approved strategy: a stand-alone one when the trust has both it and a quality strategy."""
    return approved_doc(view, ("px_strategy",)) or approved_doc(view, STRATEGY_TYPES, _is_strategy)


def _strategy_or_draft(view: EvidenceView) -> Document | None:
    """The current approved strategy, else the latest current draft (what co-production is read from)."""
    best = _strategy(view)
    if best is not None:
        return best
    drafts = [d for d in documents(view, *STRATEGY_TYPES) if _is_strategy(d) and d.status == "draft"]
    return drafts[-1] if drafts else None


def _flag(view: EvidenceView, attr: str, yes: str, no: str) -> Result | None:
    d = _strategy_or_draft(view)
    if d is None:
        return None
    value = bool(getattr(d, attr))
    return Result(value, [d], f"'{d.title}' {yes if value else no}")


# ---- 1A: a board-approved strategy, co-produced and consulted upon ---------------------------------------

@measure("strategy.stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Patient experience strategy: 1 in draft, 2 approved but lapsed, 3 approved and in date")
def strategy_stage(view: EvidenceView) -> Result | None:
    return doc_stage(view, STRATEGY_TYPES, "patient experience strategy", _is_strategy)


@measure("strategy.board_approved", type="boolean", better="true", kinds=("document",),
         description="The current patient experience strategy was signed off by the board itself")
def strategy_board_approved(view: EvidenceView) -> Result | None:
    d = _strategy(view)
    if d is None:
        return None
    by = d.approved_by or "an unrecorded body"
    return Result(d.approved_by == "board", [d], f"'{d.title}' was approved by {by} on {d.approved_on}")


@measure("strategy.coproduced_patients", type="boolean", better="true", kinds=("document",),
         description="The patient experience strategy was co-produced with patients")
def strategy_coproduced_patients(view: EvidenceView) -> Result | None:
    return _flag(view, "coproduced_patients", "was co-produced with patients",
                 "records no co-production with patients")


@measure("strategy.coproduced_staff", type="boolean", better="true", kinds=("document",),
         description="The patient experience strategy was co-produced with frontline staff")
def strategy_coproduced_staff(view: EvidenceView) -> Result | None:
    return _flag(view, "coproduced_staff", "was co-produced with frontline staff",
                 "records no co-production with frontline staff")


@measure("strategy.consulted", type="boolean", better="true", kinds=("document",),
         description="The patient experience strategy went out to consultation before approval")
def strategy_consulted(view: EvidenceView) -> Result | None:
    return _flag(view, "consulted", "was consulted upon", "records no consultation")


@measure("strategy.linked_to_qi", type="boolean", better="true", kinds=("document",),
         description="Patient experience is part of, or explicitly aligned with, quality improvement")
def strategy_linked_to_qi(view: EvidenceView) -> Result | None:
    d = _strategy_or_draft(view)
    if d is None:
        return None
    linked = d.doc_type == "quality_strategy" or "qi_alignment" in d.contents
    if d.doc_type == "quality_strategy":
        how = "is integrated into the quality strategy"
    else:
        how = "is aligned with quality improvement" if linked else "is not linked to quality improvement"
    return Result(linked, [d], f"'{d.title}' {how}")


def _progress_reports(view: EvidenceView, ending_months_ago: int) -> Result | None:
    found = meetings(view, ending_months_ago=ending_months_ago, bodies=REPORTING_BODIES)
    if not found:
        return None
    hits = [m for m in found if m.has_item(*PROGRESS_ITEMS)]
    when = "in the last 12 months" if not ending_months_ago else "in the 12 months before that"
    return Result(len(hits), evidence_of(hits or found),
                  f"{len(hits)} strategy progress reports to the board or its committees {when} "
                  f"({len(found)} meetings)")


@measure("strategy.progress_reports_12m", type="integer", unit="count", better="higher",
         kinds=("board_meeting",),
         description="Strategy progress or annual-review reports to the board or its "
         "committees in the last 12 months")
def strategy_progress_reports_12m(view: EvidenceView) -> Result | None:
    return _progress_reports(view, 0)


@measure("strategy.progress_reports_prev12m", type="integer", unit="count", better="higher",
         kinds=("board_meeting",),
         description="Strategy progress reports to the board or its committees in the 12 "
         "months before the last 12")
def strategy_progress_reports_prev12m(view: EvidenceView) -> Result | None:
    return _progress_reports(view, 12)


# ---- 1B: delivery plan, impact measures, annual review -----------------------------------------------------
# An annual review is a `strategy_review` document (the review paper: measures_with_target and
# measures_on_track at review, coproduced_patients when patients took part) and/or a board or committee
# meeting with `strategy_annual_review` on its agenda.

def _reviews(view: EvidenceView, ending_months_ago: int) -> list[Document]:
    return [d for d in view.select_within("document", Document, "doc_type", ("strategy_review",), 12,
                                          ending_months_ago=ending_months_ago)
            if d.status != "superseded"]


@measure("strategy.plan_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Strategy delivery plan: 1 in draft, 2 approved but lapsed, 3 approved and in date")
def strategy_plan_stage(view: EvidenceView) -> Result | None:
    return doc_stage(view, PLAN_TYPES, "delivery plan", _is_plan)


@measure("strategy.plan_targeted_measures", type="integer", unit="count", better="higher",
         kinds=("document",),
         description="Impact measures in the current delivery plan with a baseline and a target")
def strategy_plan_targeted_measures(view: EvidenceView) -> Result | None:
    d = approved_doc(view, PLAN_TYPES, _is_plan)
    if d is None:
        return None
    n = d.measures_with_target or 0
    return Result(n, [d], f"'{d.title}' sets {n} impact measures with baseline and target")


def _reviewed(view: EvidenceView, ending_months_ago: int) -> Result | None:
    papers = _reviews(view, ending_months_ago)
    held = meetings(view, ending_months_ago=ending_months_ago, bodies=REPORTING_BODIES)
    minutes = evidence_of([m for m in held if m.has_item("strategy_annual_review")])
    when = "in the last 12 months" if not ending_months_ago else "in the 12 months before that"
    if papers or minutes:
        newest = max(e.end for e in [*papers, *minutes])
        return Result(True, [*papers, *minutes], f"strategy reviewed {when} (latest {newest})")
    plan = [d for d in documents(view, *PLAN_TYPES, ever=True) if _is_plan(d) and d.status == "approved"]
    if not plan:
        return None
    return Result(False, tuple(plan[-1:]), f"no annual review of '{plan[-1].title}' {when}")


@measure("strategy.reviewed_12m", type="boolean", better="true", kinds=("document", "board_meeting"),
         description="An annual review of progress against the strategy was held in the last 12 months")
def strategy_reviewed_12m(view: EvidenceView) -> Result | None:
    return _reviewed(view, 0)


@measure("strategy.reviewed_prev12m", type="boolean", better="true", kinds=("document", "board_meeting"),
         description="An annual review of progress against the strategy was held in "
         "the 12 months before that")
def strategy_reviewed_prev12m(view: EvidenceView) -> Result | None:
    return _reviewed(view, 12)


def _on_track(view: EvidenceView, ending_months_ago: int) -> Result | None:
    # A review that did not record how many measures are on track is "not recorded", never "0 on track".
    scored = [d for d in _reviews(view, ending_months_ago)
              if d.measures_with_target and d.measures_on_track is not None]
    if not scored:
        return None
    d = scored[-1]
    total, ok = d.measures_with_target or 0, d.measures_on_track or 0
    return Result(ok / total, [d], f"{ok} of {total} impact measures on track at the review of {d.end} "
                  f"({pct(ok / total)})")


@measure("strategy.on_track_share", type="number", unit="share", better="higher", kinds=("document",),
         description="Share of the strategy's impact measures on track at the latest review (last 12 months)")
def strategy_on_track_share(view: EvidenceView) -> Result | None:
    return _on_track(view, 0)


@measure("strategy.on_track_share_prev", type="number", unit="share", better="higher", kinds=("document",),
         description="Share of the strategy's impact measures on track at the review in "
         "the 12 months before that")
def strategy_on_track_share_prev(view: EvidenceView) -> Result | None:
    return _on_track(view, 12)


@measure("strategy.review_with_patients", type="boolean", better="true", kinds=("document",),
         description="Patients took part in (or presented) the latest annual review of the strategy")
def strategy_review_with_patients(view: EvidenceView) -> Result | None:
    papers = _reviews(view, 0)
    if not papers:
        return None
    d = papers[-1]
    how = "was carried out with patients" if d.coproduced_patients else "records no patient involvement"
    return Result(d.coproduced_patients, [d], f"review of {d.end} {how}")


# ---- 1C: a patient and public engagement programme that informs key decisions ----------------------------

def _key_changes(view: EvidenceView, ending_months_ago: int = 0) -> list[ServiceChange]:
    return [c for c in view.within("service_change", 12, ending_months_ago=ending_months_ago)
            if isinstance(c, ServiceChange) and c.key_decision]


def _engaged(c: ServiceChange) -> bool:
    return c.engagement_held or c.patients_involved_design or c.coproduced


@measure("strategy.engage_programme_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Patient and public engagement programme: 1 in draft, 2 approved but "
         "lapsed, 3 approved and in date")
def engage_programme_stage(view: EvidenceView) -> Result | None:
    return doc_stage(view, ("engagement_programme",), "engagement programme")


@measure("strategy.engage_key_decisions_share_12m", type="number", unit="share", better="higher",
         kinds=("service_change",),
         description="Share of key decisions (service changes) in the last 12 months informed by "
         "patient and public engagement")
def engage_key_decisions_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_key_changes(view), _engaged, "key decisions in the last 12 months were informed by "
                        "patient and public engagement")


@measure("strategy.engage_key_decisions_share_prev12m", type="number", unit="share", better="higher",
         kinds=("service_change",),
         description="Share of key decisions in the 12 months before the last 12 informed by engagement")
def engage_key_decisions_share_prev12m(view: EvidenceView) -> Result | None:
    return share_result(_key_changes(view, 12), _engaged, "key decisions in the previous 12 months were "
                        "informed by patient and public engagement")


@measure("strategy.engage_joint_with_commissioners", type="boolean", better="true",
         kinds=("document", "service_change"),
         description="Engagement is run in partnership with commissioners (the ICB): in the programme or "
         "on a key decision in the last 12 months")
def engage_joint_with_commissioners(view: EvidenceView) -> Result | None:
    programme = approved_doc(view, ("engagement_programme",))
    joint = [c for c in _key_changes(view) if c.joint_with_commissioners]
    if programme is not None and "joint_with_commissioners" in programme.contents:
        return Result(True, [programme], f"'{programme.title}' is run jointly with commissioners")
    if joint:
        return Result(True, tuple(joint), f"{len(joint)} key decisions engaged on jointly with commissioners")
    basis = [programme] if programme is not None else _key_changes(view)
    if not basis:
        return None
    return Result(False, tuple(basis), "no engagement in partnership with commissioners is recorded")


@measure("strategy.engage_you_said_we_did", type="boolean", better="true", kinds=("document",),
         description="The engagement programme publishes what changed as a result ('you said, we did')")
def engage_you_said_we_did(view: EvidenceView) -> Result | None:
    programme = approved_doc(view, ("engagement_programme",))
    if programme is None:
        return None
    yes = "you_said_we_did" in programme.contents
    return Result(yes, [programme], f"'{programme.title}' " +
                  ("publishes 'you said, we did'" if yes else "does not publish what changed as a result"))


@measure("strategy.engage_reports_12m", type="integer", unit="count", better="higher", kinds=("board_meeting",),
         description="Reports of patient and public engagement to the board, its committees or the governors "
         "in the last 12 months")
def engage_reports_12m(view: EvidenceView) -> Result | None:
    found = meetings(view, bodies=REPORTING_BODIES)
    if not found:
        return None
    hits = [m for m in found if m.has_item("engagement_report")]
    return Result(len(hits), evidence_of(hits or found),
                  f"{len(hits)} engagement reports at {len(found)} board, committee or governor meetings "
                  "in the last 12 months")


@measure("strategy.engage_decisions_changed_24m", type="integer", unit="count", better="higher",
         kinds=("service_change",),
         description="Key decisions in the last 24 months that changed because of "
         "patient and public engagement")
def engage_decisions_changed_24m(view: EvidenceView) -> Result | None:
    changes = _key_changes(view, 12) + _key_changes(view)
    if not changes:
        return None
    changed = [c for c in changes if c.decision_changed_by_engagement]
    what = "key decisions in 24 months changed because of engagement"
    return Result(len(changed), tuple(changed or changes), f"{len(changed)} of {len(changes)} {what}")
