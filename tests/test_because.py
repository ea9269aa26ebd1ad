"""Reasons state what was measured: no `because` claims more than its conditions; explain shows each threshold."""

from __future__ import annotations

import re
from pathlib import Path

from pxrules.rules.conditions import Condition, holds
from pxrules.rules.pack import default_rulepack

# Every condition asks for at least something (the pack refuses a condition asking for less of a measure
# that is better when higher), so a sentence true of the weakest values that fire the rule must stay true
# of every better value. Wording that caps the value ("below the median but ...", "within 0.1 of",
# "though not ...", "only through ...") would be false of a better trust whose rule still fires.
CAPPING = re.compile(
    r"below the peer (median|average) but|within (0\.1|one percentage point|1%) of|\bthough\b|\beven if\b|"
    r"\bonly through\b|with gaps|rates below|more than three clicks|worse than expected or|near the peer|"
    r"\bad hoc\b|not yet a|no peer figure\)|bottom quartile or worse"
)


def test_no_because_sentence_caps_what_was_measured() -> None:
    pack = default_rulepack()
    wrong = [f"{r.rule_id}: {r.because}" for r in pack.rules if CAPPING.search(r.because)]
    assert wrong == []


def test_every_condition_asks_for_at_least_a_threshold() -> None:
    # The premise of the test above, checked: no level asks for less of a better-when-higher measure.
    from pxrules.measures import MEASURES

    for rule in default_rulepack().rules:
        for c in rule.conditions:
            better = MEASURES[c.measure].better
            if better == "higher":
                assert c.op in ("gt", "gte"), (rule.rule_id, c)
            elif better == "lower":
                assert c.op in ("lt", "lte"), (rule.rule_id, c)


def test_explain_shows_the_value_and_the_threshold_it_met(tmp_path: Path) -> None:
    from pxrules.demo import run_demo
    from pxrules.scoring.stored import explain

    folder = tmp_path / "demo"
    run_demo(folder)
    url = f"sqlite:///{folder / 'pxrules-demo.db'}"
    ops = {">=": "gte", ">": "gt", "<=": "lte", "<": "lt", "=": "eq"}
    checked = 0
    for sub in ("20B", "10B", "3B", "17C"):
        data = explain(url, "ZZ9", sub)
        for firing in data["firings"]:
            for m in firing["matched"]:
                assert m["needs"], (sub, firing["rule_id"], m)
                for part in m["needs"].split(" and "):
                    op, threshold = part.split(" ", 1)
                    value = m["value"]
                    want: bool | float = (threshold == "yes") if isinstance(value, bool) else float(threshold)
                    assert holds(Condition(m["measure"], ops[op], want), value), (sub, firing["rule_id"], m)
                    checked += 1
    assert checked > 10
