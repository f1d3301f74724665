"""A meeting's checklist results as a workbook: Summary, By "here as", Comments, The questions (each question
as the tablet asked it in easy-read words, beside the Co-production Charter's own words).

The caller fills the dataclasses below (question and answer wording already in the reader's
language) and passes its gettext, so the few words written here are translated too. A hidden "here
as" group carries its reason as text in place of every number, so the file keeps the same
anonymity rule as the page. Comments carry no "here as" and no order of answering.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from exports.workbook import Column, Heading, Note, Row, Sheet, Typed


def _no_translation(text: str, **variables) -> str:
    return text % variables if variables else text


@dataclass(frozen=True)
class QuestionCounts:
    question: str
    answers: Sequence[tuple[str, int]]  # (answer, number of people), "skipped" last
    scaled: bool = False                # answered from 1 to 5, so it has an average
    average: float | None = None        # None when nobody answered


@dataclass(frozen=True)
class GroupColumn:
    name: str                               # e.g. "Staff"
    responses: int | None                   # None when hidden
    questions: Sequence[QuestionCounts] | None  # same order as ResultsData.questions; None when hidden
    hidden_text: str = ""                   # e.g. "Fewer than 5", written in place of every number


@dataclass(frozen=True)
class Wording:
    number: str                             # e.g. "Question 3 of 7"; "About you" for "I am here as"
    question: str                           # as the tablet asks it, in easy-read words
    hint: str                               # the short sentences under it on the tablet
    charter: str                            # the Charter's own words; "" when it is not a Charter question


@dataclass(frozen=True)
class ResultsData:
    meeting: str
    group: str
    meeting_date: date
    responses: int
    questions: Sequence[QuestionCounts]
    groups: Sequence[GroupColumn]
    comments: Sequence[tuple[str, str]]     # (question, comment)
    wordings: Sequence[Wording] = ()        # every question, in the order asked
    # How the responses arrived: (way, number of people, or the hidden text such as "Fewer than 5").
    channels: Sequence[tuple[str, int | str]] = ()


def results_sheets(data: ResultsData, gettext: Callable = _no_translation) -> list[Sheet]:
    _ = gettext
    return [_summary(data, _), _by_group(data, _), _comments(data, _), _wordings(data, _)]


def _summary(data: ResultsData, _) -> Sheet:
    def rows():
        for q in data.questions:
            for answer, n in q.answers:
                yield q.question, answer, n
        yield Row(())
        yield Heading((_("Average answer, from 1 (the lowest) to 5 (the highest)"),))
        for q in data.questions:
            if q.scaled:
                yield Row((q.question, "", _decimal(q.average, _)))
        yield Row(())
        yield Heading((_("About this meeting"),))
        yield Row((_("Meeting"), data.meeting))
        yield Row((_("Group"), data.group))
        yield Row((_("Date"), Typed(data.meeting_date, "date")))
        yield Row((_("Responses"), "", data.responses))
        if data.channels:
            yield Row(())
            yield Heading((_("How people answered"),))
            for way, n in data.channels:
                yield Row((way, "", n))
            yield Note((_("A way fewer than 5 people used is not counted on its own, and nor is one whose number "
                          "would give a smaller one away."),))

    return Sheet(_("Summary"), [Column(_("Question"), width=48), Column(_("Answer"), width=24),
                                Column(_("Number of people"), "number", width=18)], rows())


def _decimal(value: float | None, _):
    return Typed(round(value, 2), "decimal") if value is not None else _("Nobody answered")


def _by_group(data: ResultsData, _) -> Sheet:
    groups = list(data.groups)

    def cell(group: GroupColumn, value):
        return group.hidden_text if group.questions is None else value

    def rows():
        yield (_("Responses"), "", *(cell(g, g.responses) for g in groups))
        for i, q in enumerate(data.questions):
            for j, (answer, _n) in enumerate(q.answers):
                yield (q.question, answer,
                       *(cell(g, g.questions[i].answers[j][1] if g.questions is not None else None) for g in groups))
        yield Row(())
        yield Heading((_("Average answer, from 1 (the lowest) to 5 (the highest)"),))
        for i, q in enumerate(data.questions):
            if q.scaled:
                yield Row((q.question, "", *(
                    g.hidden_text if g.questions is None else _decimal(g.questions[i].average, _) for g in groups)))
        yield Row(())
        yield Note((_("A group of fewer than 5 people is not shown, and nor is a group whose numbers "
                        "would give a smaller group's answers away, so that nobody's answers can be picked out."),))

    columns = [Column(_("Question"), width=48), Column(_("Answer"), width=24)]
    columns += [Column(g.name, "number", width=16) for g in groups]
    return Sheet(_("By \"here as\""), columns, rows())


def _comments(data: ResultsData, _) -> Sheet:
    def rows():
        yield from data.comments
        if not data.comments:
            yield Note((_("Nobody wrote a comment."),))

    return Sheet(_("Comments"), [Column(_("Question"), width=48), Column(_("Comment"), width=80)], rows())


def _wordings(data: ResultsData, _) -> Sheet:
    def rows():
        for w in data.wordings:
            yield w.number, w.question, w.hint, w.charter or _("Not a Charter question: it is about the person")
        yield Row(())
        yield Note((_("The tablet asks the Co-production Charter's checklist in easy-read words: short sentences, "
                      "one idea each. The last column is the Charter's own words."),))

    return Sheet(_("The questions"), [Column(_("Number"), width=16), Column(_("Question on the tablet"), width=40),
                                      Column(_("Hint on the tablet"), width=48),
                                      Column(_("The Charter's words"), width=60)], rows())
