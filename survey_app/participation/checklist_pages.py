"""'Tell us how it went': the eight checklist pages, shared by the door tablet, a person's own link and a
meeting's link. One question a page; every answer travels in the form as hidden fields and nothing is stored
until the last page. The caller says where each page posts to, which layout it is shown in, and how the
answers are saved (its `save` is called once the form's one-time token is claimed, inside that transaction,
and commits or rolls back itself)."""
from collections.abc import Callable

from flask import abort, render_template, request

from forms.checklist import ANSWERS, CHECKLIST, FIELDS, QUESTIONS, allowed_answer, stored_answers
from forms.door import ChecklistForm
from forms.tokens import new_form_token

from ..models.base import utcnow
from . import taking_part

LAST = len(CHECKLIST)


def checklist_open(meeting) -> bool:
    """The checklist can be answered: the meeting has started, or an organiser opened it early."""
    return meeting.checklist_open or meeting.starts_at <= utcnow()


def clean_answers(form: ChecklistForm) -> dict:
    """The answers as stored: a choice that is not one of the question's is a skip, scales are numbers."""
    return stored_answers({name: form[name].data for name in FIELDS})


def render_step(form: ChecklistForm, number: int, action: Callable[[int], str], base: str, status: int = 200,
                **context):
    context.setdefault("refused", None)  # a refusal of the whole form (a limit reached), else None
    step = CHECKLIST[number - 1]
    answers = ANSWERS.get(step.kind, ())
    current = allowed_answer(step, form[step.field].data) if answers else None
    # Only the Charter's seven are numbered ("Question 3 of 7"); "I am here as" is about the person.
    question_number = QUESTIONS.index(step) + 1 if step in QUESTIONS else None
    return render_template("door/checklist.html", title=step.question, form=form, step=step, number=number,
                           question_number=question_number, questions=len(QUESTIONS), last=number == LAST,
                           answers=answers, current=current, steps=CHECKLIST, action=action(number), base=base,
                           **context), status


def first_page(action: Callable[[int], str], base: str, visit: str | None = None, token: str | None = None,
               **context):
    """The first question, with a fresh one-time token (`token`: the door's own, bound to its visit)."""
    form = ChecklistForm(visit=visit)
    form.form_token.data = token or new_form_token(visit)
    return render_step(form, 1, action, base, **context)


def step_page(number: int, action: Callable[[int], str], base: str, save: Callable[[dict], object],
              done: Callable[[], object], visit: str | None = None, **context):
    """A page's answer sent: the next (or previous) page, or on the last page the answers saved once.
    `save(answers, form)` runs after the token is claimed and returns the response; `done()` answers a repeat
    of a form already sent (the token used up already)."""
    if not 1 <= number <= LAST:
        abort(404)
    form = ChecklistForm(visit=visit)
    if not form.validate_on_submit():
        return render_step(form, number, action, base, 400, **context)
    step = CHECKLIST[number - 1]
    if "answer" in request.form:  # a page from before the radio groups, still open on a tablet
        form[step.field].data = allowed_answer(step, request.form["answer"])
    if "skip" in request.form:
        form[step.field].data = ""
        if step.more:
            form[step.more].data = ""
    if "back" in request.form:
        return render_step(form, max(1, number - 1), action, base, **context)
    if number < LAST:
        return render_step(form, number + 1, action, base, **context)
    if taking_part.claim(form.form_token.data):
        return save(clean_answers(form), form)
    return done()
