"""'Tell us how it went': the Charter's Co-production Checklist, one question a page, anonymous.

Each question with choices is a radio group (works without JavaScript): choose, optionally "Tell us more",
then Next. Every answer travels in the form as hidden fields; nothing is stored until the last page."""
from flask import abort, redirect, render_template, request, url_for

from forms.checklist import ANSWERS, CHECKLIST, FIELDS, QUESTIONS, SCALED, allowed_answer
from forms.door import ChecklistForm

from ..participation import kiosk, taking_part
from ..participation.kiosk import door_only
from ..web.extensions import db
from ..web.pages import Routes, keeps_input
from .welcome import checklist_open

routes = Routes()
LAST = len(CHECKLIST)


def _open_meeting():
    """The tablet's meeting if its checklist is open, else None. The cached copy may be behind an organiser
    who has just opened it (on another worker or server), so it is read afresh before anyone is turned away."""
    meeting = kiosk.meeting()
    if meeting is None or not checklist_open(meeting):
        meeting = kiosk.meeting(fresh=True)
    return meeting if meeting is not None and checklist_open(meeting) else None


def _render(form: ChecklistForm, number: int):
    step = CHECKLIST[number - 1]
    answers = ANSWERS.get(step.kind, ())
    current = allowed_answer(step, form[step.field].data) if answers else None
    # Only the Charter's seven are numbered ("Question 3 of 7"); "I am here as" is about the person.
    question_number = QUESTIONS.index(step) + 1 if step in QUESTIONS else None
    return render_template("door/checklist.html", title=step.question, form=form, step=step, number=number,
                           question_number=question_number, questions=len(QUESTIONS), last=number == LAST,
                           answers=answers, current=current, steps=CHECKLIST)


@routes.route("/door/checklist")
@door_only
def checklist():
    if _open_meeting() is None:
        return redirect(url_for("door.welcome"))
    form = ChecklistForm(visit=kiosk.visit_key())
    form.form_token.data = kiosk.form_token()
    return _render(form, 1)


@routes.route("/door/checklist/<int:number>", methods=["POST"])
@door_only
@keeps_input
def checklist_step(number):
    if not 1 <= number <= LAST:
        abort(404)
    meeting = _open_meeting()
    if meeting is None:
        return redirect(url_for("door.welcome"))
    form = ChecklistForm(visit=kiosk.visit_key())
    if not form.validate_on_submit():
        return _render(form, number), 400
    step = CHECKLIST[number - 1]
    if "answer" in request.form:  # a page from before the radio groups, still open on a tablet
        form[step.field].data = allowed_answer(step, request.form["answer"])
    if "skip" in request.form:
        form[step.field].data = ""
        if step.more:
            form[step.more].data = ""
    if "back" in request.form:
        return _render(form, max(1, number - 1))
    if number < LAST:
        return _render(form, number + 1)
    if taking_part.claim(form.form_token.data):
        answers = {name: form[name].data for name in FIELDS}
        for s in CHECKLIST:
            if s.kind in ANSWERS:
                answers[s.field] = allowed_answer(s, answers[s.field])
        for scaled in SCALED:
            answers[scaled] = int(answers[scaled]) if answers[scaled] else None
        taking_part.save_checklist(meeting.id, answers)
        db.session.commit()
    return redirect(url_for("door.thanks"))
