"""The shape of the Charter report (issue 18), shared by what computes it (insight/charter_report.py) and what
shows it (the page, the easy-read page, the PDF and the workbook). Numbers are already suppressed here:
a figure under SMALL (or one that would give a smaller one away by subtraction) has `value=None` and shows
as "Fewer than 5", so no output can reveal a small group, whatever renders it."""
from dataclasses import dataclass, field
from datetime import date

SMALL = 5  # the same rule as the checklist results pages


@dataclass(frozen=True)
class Figure:
    label: str                 # "People who took part"
    value: int | None          # None: suppressed
    note: str = ""             # "of 40 asked for", "3 days after the meeting on average"

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Table:
    title: str
    headings: list[str]
    rows: list[list[str | int | None]]  # None in a number column: suppressed ("Fewer than 5")


@dataclass(frozen=True)
class Chart:
    """A bar chart (or a line for a trend): one value per label per series; None is suppressed (no bar)."""

    title: str
    labels: list[str]
    series: dict[str, list[float | None]]  # series name -> values, one per label
    kind: str = "bar"                      # bar | line
    unit: str = ""                         # "people", "%", "out of 5"


@dataclass(frozen=True)
class Section:
    key: str                   # "who_took_part", "accessible", "a_say", "doing_what_we_said", "informed",
                               # "rewarded", "how_it_felt", "champions", "equality"
    title: str                 # "Who took part"
    promise: str               # the Charter's words this section gives evidence for
    easy: str                  # one or two short easy-read sentences for the group's own version
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # checklist comments an organiser chose to include


@dataclass(frozen=True)
class CharterReport:
    title: str                 # "Charter report: Learning Disability Partnership Board" or "... all groups"
    group_id: int | None       # None: every group
    starts_on: date
    ends_on: date
    sections: list[Section]
