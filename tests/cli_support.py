"""What the command-line tests share: a board meeting as a person writes it in YAML, and a result check."""

from __future__ import annotations

from typing import Any

# A board meeting with a patient story, dated the UK way (the evidence the actions and owners tests track).
BOARD = """kind: board_meeting
id: bm-1
org: RX1
period_start: 12/03/2026
source: {title: Board papers March 2026}
patient_story: true
story_presenter: patient
"""


def ok(result: Any) -> Any:
    """The CLI result, after checking the command succeeded (its output shown when it did not)."""
    assert result.exit_code == 0, result.output
    return result
