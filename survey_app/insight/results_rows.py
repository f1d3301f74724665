"""The rows of a meeting's checklist results download (the records exports/checklist_results.py lays out), and
the words for answers and hidden groups that the results pages share with it."""
from flask_babel import gettext as _

from exports.checklist_results import GroupColumn, QuestionCounts, ResultsData, Wording
from forms.checklist import (
    CHECKLIST,
    COMMENT_QUESTION,
    COMMENTS,
    PAYMENT,
    PAYMENT_STEP,
    QUESTIONS,
    SCALE,
    SCALED,
    STEPS,
)

from ..models import Meeting
from ..models.base import LONDON
from . import results as res


def scale_labels() -> list[str]:
    return [str(answer.label) for answer in SCALE]


def payment_labels() -> list[str]:
    return [str(answer.label) for answer in PAYMENT]


def hidden_text(reason: str | None) -> str:
    """Why a "here as" group is not shown on its own, in place of its numbers."""
    if reason == res.TOO_FEW:
        return _("Fewer than 5")
    return _("Hidden to protect a smaller group")


def _question_counts(scales: dict[str, res.ScaleTally], payment: res.PaymentTally) -> list[QuestionCounts]:
    skipped = _("Skipped")
    questions = [QuestionCounts(str(STEPS[q].question), [*zip(scale_labels(), scales[q].counts),
                                                        (skipped, scales[q].skipped)],
                                scaled=True, average=scales[q].average) for q in SCALED]
    questions.append(QuestionCounts(str(STEPS[PAYMENT_STEP].question),
                                    [*zip(payment_labels(), payment.counts()), (skipped, payment.skipped)]))
    return questions


def wordings() -> list[Wording]:
    """Every question as the tablet asks it, beside the Charter's own words."""
    return [Wording(_("Question %(n)d of %(total)d", n=QUESTIONS.index(s) + 1, total=len(QUESTIONS))
                    if s in QUESTIONS else _("About you"), str(s.question), str(s.hint), str(s.charter or ""))
            for s in CHECKLIST]


def results_rows(meeting: Meeting) -> ResultsData:
    """The workbook's contents in the current language; hidden groups carry only their reason."""
    everyone, split = res.meeting_results(meeting.id), res.split_by_here_as(meeting.id)
    columns = [GroupColumn(str(g.label), g.tally.count, _question_counts(g.tally.scales, g.tally.payment))
               if not g.hidden else GroupColumn(str(g.label), None, None, hidden_text(g.hidden_because))
               for g in split.groups]
    comments = [(str(STEPS[COMMENT_QUESTION[name]].question), text)
                for name in COMMENTS for text in everyone.comments[name]]
    return ResultsData(meeting=meeting.title, group=meeting.group.name,
                       meeting_date=meeting.starts_at.astimezone(LONDON).date(), responses=everyone.count,
                       questions=_question_counts(everyone.scales, everyone.payment), groups=columns,
                       comments=comments, wordings=wordings(),
                       channels=[(str(c.label), hidden_text(c.hidden_because) if c.hidden else c.count)
                                 for c in res.meeting_channels(meeting.id)])
