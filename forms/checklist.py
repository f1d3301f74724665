"""The Charter's Co-production Checklist as plain data: its questions, answer scales, field keys, which answers
are comments, and the "I am here as" groups. The one home of these names: it sits in forms/ because the door
form, the results workbook (exports/) and survey_app all import from here, and forms/ imports neither of the
others. The ChecklistResponse columns (survey_app/models/participation.py) must match FIELDS (a test checks)."""
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Answer:
    """One button on a question's page: the value stored, its face and its words."""
    value: str
    icon: str
    label: LazyString
    group: LazyString | None = None  # a "here as" answer: its name as a group of people in the results


@dataclass(frozen=True)
class Step:
    """One question, one page. `field` is the answer's key (form field and database column); a "text" step is
    answered in words, the others with one of ANSWERS[kind]; `more` is the optional "tell us more" comment."""
    field: str
    kind: str
    question: LazyString
    hint: LazyString | str = ""
    more: str | None = None


# The Co-production Checklist from the Charter, in plain words, one question a page.
SCALE = (Answer("1", "😞", _l("Not at all")), Answer("2", "🙁", _l("Not really")), Answer("3", "😐", _l("A bit")),
         Answer("4", "🙂", _l("Mostly")), Answer("5", "😀", _l("Yes, completely")))
PAYMENT = (Answer("yes", "👍", _l("Yes")), Answer("not_sure", "🤔", _l("Not sure")), Answer("no", "👎", _l("No")))
HERE_AS = (Answer("lived_experience", "🙋", _l("Someone with lived experience"), _l("Lived experience")),
           Answer("carer", "🤝", _l("A carer"), _l("Carers")),
           Answer("staff", "🪪", _l("A member of staff"), _l("Staff")),
           Answer("other", "🙂", _l("Something else"), _l("Something else")))
ANSWERS = {"scale": SCALE, "payment": PAYMENT, "here_as": HERE_AS}
CHECKLIST = (
    Step("achieved", "scale", _l("Did we get things done?"),
         _l("Did the meeting have a purpose, and will its actions make a difference?"), more="achieved_more"),
    Step("outcomes", "text", _l("What came out of the meeting?"),
         _l("Was it worthwhile for everyone? What did we decide together?")),
    Step("feeling", "scale", _l("How did it feel to be here?"),
         _l("Did you feel welcome, included and valued?"), more="feeling_more"),
    Step("inclusive", "scale", _l("Were we inclusive?"),
         _l("Did we respect everyone and their part in the work?"), more="inclusive_more"),
    Step("accessible", "scale", _l("Was the meeting easy to get to and take part in for everyone?"),
         more="accessible_more"),
    Step("payment_clear", "payment", _l("Were you clear about payment or other thanks for your time?")),
    Step("change", "text", _l("What should we change for next time?")),
    Step("here_as", "here_as", _l("I am here as..."),
         _l("This helps us see if everyone had a good meeting. You can skip it.")),
)

STEPS = {step.field: step for step in CHECKLIST}
# Every answer's key in the order asked, a step's "tell us more" right after it.
FIELDS = tuple(key for step in CHECKLIST for key in (step.field, step.more) if key)
# The free-text answers (comments), in the order asked, each with the question it belongs to.
COMMENT_QUESTION = {key: step.field for step in CHECKLIST
                    for key in ((step.field,) if step.kind == "text" else (step.more,)) if key}
COMMENTS = tuple(COMMENT_QUESTION)
SCALED = tuple(step.field for step in CHECKLIST if step.kind == "scale")
PAYMENT_STEP = next(step.field for step in CHECKLIST if step.kind == "payment")
HERE_AS_STEP = next(step.field for step in CHECKLIST if step.kind == "here_as")

# The "here as" groups the results are split by: each answer, then everyone who skipped the question.
NOT_SAID = "not_said"
HERE_AS_GROUPS = (*(answer.value for answer in HERE_AS), NOT_SAID)
GROUP_LABELS = {**{answer.value: answer.group for answer in HERE_AS}, NOT_SAID: _l("Did not say")}


def allowed_answer(step: Step, value: str | None) -> str | None:
    """The answer if it is one of the step's choices, else None (treated as skipped)."""
    return value if value in {answer.value for answer in ANSWERS.get(step.kind, ())} else None
