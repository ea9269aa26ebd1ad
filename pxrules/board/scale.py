"""The 0-5 scale a board scores itself on, as the self-assessment template gives it to the board.

The framework itself heads the column "Org. score (0-5)" and says only how scores are meant to be used (quoted
verbatim below, from the 2018 publication's "How to use the framework"); it does not define the levels. The six
levels are the ones every pxrules rule uses (rules/README.md, "The scoring scale"), so a board scoring itself
and the evidence-backed suggestion speak the same scale.
"""

from __future__ import annotations

from dataclasses import dataclass

# Verbatim from the framework (NHS Improvement, June 2018); a test checks it against the publication's text.
FRAMEWORK_ON_SCORING = (
    "Trusts may like to complete a score for each element of the framework as a basis from which to track "
    "quality improvement but it is important to note this is not a comparison tool so any scoring is for the "
    "organisation’s use only. What is important is being able to track the quality improvements over time."
)


@dataclass(frozen=True)
class Level:
    """One point of the scale: its number, its name and what it means."""

    level: int
    name: str
    meaning: str

    @property
    def line(self) -> str:
        return f"{self.level} {self.name}: {self.meaning}"


SCALE: tuple[Level, ...] = (
    Level(0, "not in place", "no current evidence, or the evidence shows nothing in place"),
    Level(1, "initial", "intent exists: a draft, a plan, a first occurrence"),
    Level(2, "developing", "in place in part, recently started, or only attested by a named person"),
    Level(3, "established", "in place organisation-wide and evidenced within the last 12 months"),
    Level(4, "embedded", "consistently in place and monitored; results at or above the national or peer benchmark"),
    Level(
        5,
        "outstanding",
        "level 4 sustained over two consecutive periods, above benchmark, with evidence of impact (a measured "
        "improvement) or co-production",
    ),
)

# The short form that fits a cell's help (Excel allows 255 characters in an input message).
SHORT_SCALE = "; ".join(f"{lv.level} {lv.name}" for lv in SCALE)
