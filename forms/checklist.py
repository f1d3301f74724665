"""The Charter's Co-production Checklist as plain data: its questions, answer scales, field keys, which answers
are comments, and the "I am here as" groups. The one home of these names: it sits in forms/ because the door
form, the results workbook (exports/) and survey_app all import from here, and forms/ imports neither of the
others. The ChecklistResponse columns (survey_app/models/participation.py) must match FIELDS (a test checks)."""
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Answer:
    """One choice on a question's page: the value stored, its picture (a Lucide symbol name, drawn by the
    symbol() template global) and its words."""
    value: str
    icon: str
    label: LazyString
    group: LazyString | None = None  # a "here as" answer: its name as a group of people in the results


@dataclass(frozen=True)
class Step:
    """One question, one page. `field` is the answer's key (form field and database column); a "text" step is
    answered in words, the others with one of ANSWERS[kind]; `more` is the optional "tell us more" comment.
    `question` and `hint` are the easy-read wording the tablet shows (short sentences, one idea each);
    `charter` is the Co-production Charter's own words for the question, shown beside it in the results
    (None for "I am here as", which is about the person, not a Charter question); `icon` its picture."""
    field: str
    kind: str
    question: LazyString
    hint: LazyString | str = ""
    more: str | None = None
    charter: LazyString | None = None
    icon: str = "circle-question-mark"


# The Co-production Checklist from the Charter ("Learning as we go"), one question a page, in easy-read words.
# Pictures as on the other door pages: the same one for the same meaning ("I am a carer" and "A carer", the
# welcome door, the gift of "How should we thank you?").
SCALE = (Answer("1", "face-angry", _l("Not at all")),
         Answer("2", "face-slightly-frowning", _l("Not really")),
         Answer("3", "face-neutral", _l("A bit")),
         Answer("4", "face-slightly-smiling", _l("Mostly")),
         Answer("5", "face-grinning", _l("Yes, completely")))
PAYMENT = (Answer("yes", "thumbs-up", _l("Yes")), Answer("not_sure", "circle-question-mark", _l("Not sure")),
           Answer("no", "thumbs-down", _l("No")))
HERE_AS = (Answer("lived_experience", "user", _l("Someone with lived experience"), _l("Lived experience")),
           Answer("carer", "heart-handshake", _l("A carer"), _l("Carers")),
           Answer("staff", "id-card", _l("A member of staff"), _l("Staff")),
           Answer("other", "circle-ellipsis", _l("Something else"), _l("Something else")))
ANSWERS = {"scale": SCALE, "payment": PAYMENT, "here_as": HERE_AS}
# `charter`: the Charter's checklist, word for word (translated like every other string on the staff pages).
CHECKLIST = (
    Step("achieved", "scale", _l("Did we get things done?"),
         _l("Think about why we met. Think about what we agreed to do. Will it make a difference?"),
         more="achieved_more", icon="target",
         charter=_l("What did we achieve or get done? / The meeting had purpose and the actions from it will "
                    "make a difference")),
    Step("outcomes", "text", _l("What came out of the meeting?"),
         _l("Tell us what we decided together. Tell us if it was worth it for everyone."), icon="clipboard-list",
         charter=_l("What are the outcomes from the meeting or session? Was the meeting worthwhile for everyone? "
                    "What joint decisions were made?")),
    Step("feeling", "scale", _l("Did you feel welcome?"),
         _l("Did people include you? Did your views matter?"), more="feeling_more", icon="door-open",
         charter=_l("How did it feel to be part of the meeting or session? Was everyone welcomed, included, "
                    "and valued?")),
    Step("inclusive", "scale", _l("Did everyone get a fair chance to take part?"),
         _l("Did we respect everyone? Does everyone's part in the work matter?"), more="inclusive_more",
         icon="users",
         charter=_l("Were we inclusive, did we respect everyone and the importance of their part in the work?")),
    Step("accessible", "scale", _l("Was the meeting easy for everyone to join in?"),
         _l("Think about getting there. Think about the room, the papers and the words we used."),
         more="accessible_more", icon="accessibility",
         charter=_l("Was the meeting/session accessible for everyone?")),
    Step("payment_clear", "payment", _l("Did you know how we would thank you?"),
         _l("We might pay you. We might give you a voucher. We might thank you in another way."),
         icon="gift",
         charter=_l("Was everyone clear about/offered payment or thanks in some other way?")),
    Step("change", "text", _l("What should we change for next time?"),
         _l("Tell us what would make the next meeting better."), icon="lightbulb",
         charter=_l("What do we need to change for next time?")),
    Step("here_as", "here_as", _l("I am here as..."),
         _l("This is not a question about the meeting. It helps us see if everyone had a good meeting. "
            "You can skip it."), icon="user"),
)
# The Charter's questions, numbered on the tablet "Question 1 of 7" ...; "I am here as" is about the person.
QUESTIONS = tuple(step for step in CHECKLIST if step.charter is not None)

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


def stored_answers(sent: dict) -> dict:
    """The answers as stored, from what a form sent (every key of FIELDS): a choice that is not one of the
    question's is a skip (None), a scale answer a number."""
    answers = {name: sent.get(name) for name in FIELDS}
    for step in CHECKLIST:
        if step.kind in ANSWERS:
            answers[step.field] = allowed_answer(step, answers[step.field])
    for scaled in SCALED:
        answers[scaled] = int(answers[scaled]) if answers[scaled] else None
    return answers


def nothing_answered(answers: dict) -> bool:
    """No question answered and no comment written (stored_answers' result)."""
    return not any(value is not None and str(value).strip() for value in answers.values())
