"""Equality monitoring (issue 18): the questions, adding one form's answers to the counts, and the Charter
report's "equality" section. Answers are never stored per person: a form adds one to a count per (group,
month, question, answer), so nothing can be joined back to who answered or when (models/equality.py)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..models import EqualityCount, PopulationFigure
from ..models.base import london_today, utcnow
from ..privacy import audit
from ..web.extensions import db
from .report_model import Chart, Figure, Section, Table
from .results import hidden_groups

PREFER_NOT = "prefer_not"
FORMS, ANSWERED = "forms", "answered"  # the count of forms themselves
NOT_ANSWERED = "not_answered"         # in the report only: forms that skipped the question


@dataclass(frozen=True)
class Question:
    key: str
    text: str       # lazy: the page's heading
    short: str      # lazy: the report's and the admin page's name for it
    answers: tuple[tuple[str, str], ...]  # (value, lazy label), "Prefer not to say" last
    hint: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.answers)

    def label(self, value: str) -> str:
        return next((str(label) for v, label in self.answers if v == value), value)


def _q(key, text, short, answers, hint=""):
    return Question(key, text, short, (*answers, (PREFER_NOT, _l("Prefer not to say"))), hint)


# The UK census's questions (2021), in plain English. Keys and values are stored; labels are translated.
QUESTIONS = (
    _q("disability", _l("Are your day-to-day activities limited because of a health problem or disability?"),
       _l("Disability"),
       (("yes_a_lot", _l("Yes, limited a lot")), ("yes_a_little", _l("Yes, limited a little")), ("no", _l("No"))),
       _l("Think about health problems or disabilities that have lasted, or are expected to last, 12 months "
          "or more.")),
    _q("ethnic_group", _l("What is your ethnic group?"), _l("Ethnic group"),
       (("asian", _l("Asian or Asian British")), ("black", _l("Black, Black British, Caribbean or African")),
        ("mixed", _l("Mixed or multiple ethnic groups")), ("white", _l("White")),
        ("other", _l("Other ethnic group")))),
    _q("sex", _l("What is your sex?"), _l("Sex"), (("female", _l("Female")), ("male", _l("Male")))),
    _q("gender_identity", _l("Is the gender you identify with the same as your sex registered at birth?"),
       _l("Gender identity the same as sex registered at birth"), (("yes", _l("Yes")), ("no", _l("No")))),
    _q("age", _l("How old are you?"), _l("Age"),
       (("under_16", _l("Under 16")), ("16_24", _l("16 to 24")), ("25_34", _l("25 to 34")),
        ("35_44", _l("35 to 44")), ("45_54", _l("45 to 54")), ("55_64", _l("55 to 64")),
        ("65_74", _l("65 to 74")), ("75_over", _l("75 or over")))),
    _q("religion", _l("What is your religion?"), _l("Religion"),
       (("none", _l("No religion")), ("christian", _l("Christian")), ("buddhist", _l("Buddhist")),
        ("hindu", _l("Hindu")), ("jewish", _l("Jewish")), ("muslim", _l("Muslim")), ("sikh", _l("Sikh")),
        ("other", _l("Any other religion")))),
    _q("sexual_orientation", _l("Which of these best describes your sexual orientation?"),
       _l("Sexual orientation"),
       (("straight", _l("Straight or heterosexual")), ("gay_lesbian", _l("Gay or lesbian")),
        ("bisexual", _l("Bisexual")), ("other", _l("Other sexual orientation")))),
    _q("carer", _l("Do you look after or give help to anyone because of long-term illness, disability or old "
                   "age?"), _l("Carer"), (("yes", _l("Yes")), ("no", _l("No")))),
)
BY_KEY = {q.key: q for q in QUESTIONS}


def question(key: str) -> Question | None:
    return BY_KEY.get(key)


def clean(answers: dict) -> dict[str, str]:
    """Only real questions with one of their own answers: anything else counts as skipped."""
    return {key: value for key, value in answers.items() if key in BY_KEY and value in BY_KEY[key].values}


def this_month() -> date:
    return london_today().replace(day=1)


def _insert(dialect: str):
    return pg_insert if dialect == "postgresql" else sqlite_insert


def add_form(group_id: int, answers: dict) -> bool:
    """Add one form's answers to this month's counts for the group, inside the caller's transaction (the
    caller commits). Each count goes up by one in the database (INSERT ... ON CONFLICT DO UPDATE), so two
    tablets sending at once lose nothing. A form with every question skipped counts nothing: False."""
    answers = clean(answers)
    if not answers:
        return False
    month = this_month()
    rows = [{"group_id": group_id, "month": month, "question": key, "answer": value, "count": 1}
            for key, value in sorted([(FORMS, ANSWERED), *answers.items()])]
    stmt = _insert(db.session.get_bind().dialect.name)(EqualityCount).values(rows)
    stmt = stmt.on_conflict_do_update(index_elements=["group_id", "month", "question", "answer"],
                                      set_={"count": EqualityCount.count + 1})
    db.session.execute(stmt)
    return True


# The report section.

def counts(group_id: int | None, starts_on: date, ends_on: date) -> dict[tuple[str, str], int]:
    """(question, answer) -> forms, over the months that start within the period (counts are by month: a
    period starting mid-month includes that whole month). One query."""
    where = [EqualityCount.month >= starts_on.replace(day=1), EqualityCount.month <= ends_on]
    if group_id is not None:
        where.append(EqualityCount.group_id == group_id)
    rows = db.session.execute(select(EqualityCount.question, EqualityCount.answer, func.sum(EqualityCount.count))
                              .where(*where).group_by(EqualityCount.question, EqualityCount.answer))
    return {(q, a): int(n or 0) for q, a, n in rows}


def population() -> dict[tuple[str, str], PopulationFigure]:
    return {(p.question, p.answer): p for p in db.session.scalars(select(PopulationFigure))}


def answer_counts(q: Question, tally: dict, forms: int) -> dict[str, int | None]:
    """Each answer's count and "not answered" (forms that skipped it), with the small-number rule: a count
    under 5 (a nobody included: a 0 shown beside a total would let a few be worked out), and whatever
    would give one away by subtraction from the forms answered, is None."""
    raw = {value: tally.get((q.key, value), 0) for value in q.values}
    raw[NOT_ANSWERED] = max(0, forms - sum(raw.values()))
    hidden = hidden_groups(raw, order=[*q.values, NOT_ANSWERED])
    return {value: None if value in hidden else n for value, n in raw.items()}


def _share(n: int | None, forms: int) -> str:
    return "" if n is None or not forms else f"{100 * n / forms:.1f}%"


def _halton(figure: PopulationFigure | None) -> str:
    return "" if figure is None else f"{figure.percent_tenths / 10:.1f}%"


def equality_section(group_id: int | None, starts_on: date, ends_on: date) -> Section:
    """Who the group reaches beside Halton's population, per question: each answer's count and share of the
    forms answered, with the small-number rule. Two queries, whatever the data."""
    tally = counts(group_id, starts_on, ends_on)
    figures = population()
    forms = tally.get((FORMS, ANSWERED), 0)
    shown_forms = forms if forms >= 5 else None
    section_figures = [Figure(_("Equality forms answered"), shown_forms,
                              _("Answering is optional and anonymous. Every question can be skipped."))]
    tables, charts = [], []
    headings = [_("Answer"), _("People"), _("Share of forms answered"), _("Halton")]
    for q in QUESTIONS:
        by_answer = answer_counts(q, tally, forms) if shown_forms else dict.fromkeys([*q.values, NOT_ANSWERED])
        rows = [[q.label(value), by_answer[value], _share(by_answer[value], forms),
                 _halton(figures.get((q.key, value)))] for value in q.values]
        rows.append([_("Not answered"), by_answer[NOT_ANSWERED], _share(by_answer[NOT_ANSWERED], forms), ""])
        tables.append(Table(str(q.short), headings, rows))
        labels = [q.label(value) for value in q.values if value != PREFER_NOT]
        charts.append(Chart(
            str(q.short), labels,
            {_("People who answered"): [round(100 * by_answer[v] / forms, 1) if by_answer[v] is not None else None
                                         for v in q.values if v != PREFER_NOT],
             _("Halton"): [figures[(q.key, v)].percent_tenths / 10 if (q.key, v) in figures else None
                           for v in q.values if v != PREFER_NOT]},
            unit="%"))
    sources = sorted({f.source for f in figures.values() if f.source})
    comments = [_("Halton's figures: %(sources)s", sources="; ".join(sources))] if sources else []
    return Section(
        key="equality", title=_("Treating everyone fairly"),
        promise=_("No discrimination or treating people differently, in a negative way because of things like "
                  "disability, their race or gender."),
        easy=_("Some people told us a little about themselves. We check that the group is open to everyone "
               "in Halton."),
        figures=section_figures, tables=tables, charts=charts, comments=comments)


# Halton's population figures, entered by an admin.

def save_population(key: str, tenths: dict[str, int | None], source: str, user) -> bool:
    """Set one question's figures (tenths of a per cent per answer; None removes an answer's figure) and
    their source, audited; the caller commits. False if nothing changed."""
    current = {p.answer: p for p in db.session.scalars(select(PopulationFigure)
                                                       .where(PopulationFigure.question == key))}
    before = {answer: [p.percent_tenths, p.source] for answer, p in current.items()}
    for answer, value in tenths.items():
        row = current.get(answer)
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = PopulationFigure(question=key, answer=answer)
            db.session.add(row)
        if row.percent_tenths != value or row.source != source:
            row.percent_tenths, row.source, row.updated_by_id = value, source, user.id
            row.updated_at = utcnow()
    after = {answer: [value, source] for answer, value in tenths.items() if value is not None}
    if before == after:
        return False
    db.session.flush()
    first = next(iter(db.session.scalars(select(PopulationFigure).where(PopulationFigure.question == key)
                                         .order_by(PopulationFigure.id))), None)
    audit.record("population-figures", first or user, before={key: before}, after={key: after})
    return True
