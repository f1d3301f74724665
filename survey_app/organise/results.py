"""Checklist results: a meeting's answers (everyone, one "here as" group, or the groups side by side),
a group's meetings over time, and the Excel download. Every chart has a table of the same numbers.
Also where an organiser types in the answers from paper checklists, and makes a comment into an action."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from exports.checklist_results import results_sheets
from forms.checklist import (
    ANSWERS,
    CHECKLIST,
    COMMENT_QUESTION,
    COMMENTS,
    FIELDS,
    GROUP_LABELS,
    HERE_AS_GROUPS,
    PAYMENT_STEP,
    SCALED,
    STEPS,
    stored_answers,
)
from forms.paper import PaperChecklistForm
from forms.tokens import form_token_problem, new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import decisions
from ..insight import results as res
from ..insight.results_rows import hidden_text, payment_labels, results_rows, scale_labels
from ..models import ChecklistChannel, Group, Meeting
from ..participation import taking_part
from ..privacy import audit
from ..web.charts import PAYMENT_COLOURS, answer_chart, line_chart, stacked_chart
from ..web.downloads import xlsx_response
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()
TREND_MEETINGS = 12


def average_text(value: float | None) -> str:
    return format_decimal(value, "0.0") if value is not None else "–"


def _meeting_or_404(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


def _together(results: res.MeetingResults) -> dict:
    """Chart and table rows for each question, and the comments, for one set of answers."""
    scales = []
    for question in SCALED:
        tally, wording = results.scales[question], STEPS[question].question
        items = list(zip(scale_labels(), tally.counts))
        scales.append({"key": question, "step": STEPS[question], "answers": items, "tally": tally,
                       "chart": answer_chart(items, _("Bar chart of how many people gave each answer to "
                                                      "\"%(question)s\"", question=wording))})
    payment_items = list(zip(payment_labels(), results.payment.counts()))
    wording = STEPS[PAYMENT_STEP].question
    payment = {"step": STEPS[PAYMENT_STEP], "answers": payment_items, "tally": results.payment,
               "chart": answer_chart(payment_items, _("Bar chart of how many people gave each answer to "
                                                      "\"%(question)s\"", question=wording), PAYMENT_COLOURS)}
    comments = [{"key": name, "step": STEPS[COMMENT_QUESTION[name]], "more": name != COMMENT_QUESTION[name],
                 "texts": results.comments[name],
                 # each shown comment with its reference and a one-time token for "Make this an action"
                 "shown": [(text, ref, new_form_token()) for text, ref in
                           zip(results.comments[name], results.comment_refs.get(name, []))]}
                for name in COMMENTS]
    return {"scales": scales, "payment": payment, "comments": comments}


def _side_by_side(split: res.Split) -> dict:
    def rows(pairs, counts_of):
        return [(str(group.label),
                 counts_of(tally) if tally is not None else None,
                 hidden_text(group.hidden_because) if group.hidden else _("Nobody in this group answered."))
                for group, tally in pairs]

    scales = []
    for question in SCALED:
        pairs = split.scale(question)
        wording = STEPS[question].question
        scales.append({"key": question, "step": STEPS[question], "pairs": pairs,
                       "chart": stacked_chart(rows(pairs, lambda t: list(t.counts)), scale_labels(),
                                              _("Bar chart comparing the answers to \"%(question)s\" from each "
                                                "group", question=wording))})
    pairs = split.payment()
    wording = STEPS[PAYMENT_STEP].question
    payment = {"step": STEPS[PAYMENT_STEP], "pairs": pairs,
               "chart": stacked_chart(rows(pairs, lambda t: list(t.counts())), payment_labels(),
                                      _("Bar chart comparing the answers to \"%(question)s\" from each group",
                                        question=wording), PAYMENT_COLOURS)}
    return {"scales": scales, "payment": payment}


@routes.route("/meetings/<int:meeting_id>/results")
@roles_required(*ORGANISERS)
def meeting_results(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    groups = [(key, str(GROUP_LABELS[key])) for key in HERE_AS_GROUPS]
    if request.args.get("view") == "split":
        split = res.split_by_here_as(meeting.id)
        return render_template("organise/results/meeting_split.html",
                               title=with_theirs(_("Checklist results by group: %(name)s"), name=meeting.title),
                               meeting=meeting, split=split, hidden_text=hidden_text, average_text=average_text,
                               scale_labels=scale_labels(), payment_labels=payment_labels(),
                               **_side_by_side(split))
    here_as = request.args.get("here_as") or None
    if here_as not in HERE_AS_GROUPS:
        here_as = None
    results = res.meeting_results(meeting.id, here_as)
    return render_template("organise/results/meeting.html",
                           title=with_theirs(_("Checklist results: %(name)s"), name=meeting.title), meeting=meeting,
                           results=results, here_as=here_as, groups=groups, group_label=dict(groups).get(here_as),
                           hidden_text=hidden_text, average_text=average_text,
                           channels=res.meeting_channels(meeting.id) if here_as is None else None,
                           **_together(results))


@routes.route("/meetings/<int:meeting_id>/results/make-action", methods=["POST"])
@roles_required(*ORGANISERS)
def comment_to_action(meeting_id):
    """"Make this an action": a checklist comment becomes an action of the meeting's group in one step. The
    comment is found by its opaque reference among this meeting's answers; the action names no person and no
    response. A one-time token makes a double tap one action."""
    meeting = _meeting_or_404(meeting_id)
    field_name = request.form.get("field", "")
    if field_name not in COMMENTS:
        abort(400)
    try:
        text = decisions.comment_text(meeting.id, request.form.get("comment", ""), field_name)
    except decisions.NoSuchComment:
        abort(404)
    token = request.form.get("form_token")
    problem = form_token_problem(token)
    if problem is not None:
        flash(str(problem))
        return redirect(url_for("organise.meeting_results", meeting_id=meeting.id, _anchor="comments"))
    if not taking_part.claim(token):  # a double tap: the first press made the action
        made = decisions.made_from(meeting, text, current_user)
        if made is None:
            return redirect(url_for("organise.meeting_results", meeting_id=meeting.id, _anchor="comments"))
        return redirect(url_for("organise.action", action_id=made.id))
    action = decisions.action_from_comment(meeting, text, current_user)
    db.session.commit()
    flash(_("Action made from the comment. Say who will do it and by when."))
    return redirect(url_for("organise.action", action_id=action.id))


@routes.route("/meetings/<int:meeting_id>/results/download")
@roles_required(*ORGANISERS)
def download_results(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    data = results_rows(meeting)
    with force_locale("en_GB"):  # exports stay in English, whatever language the page is shown in
        sheets = results_sheets(data, _)
    return xlsx_response(sheets, f"checklist-results-{meeting.id}")


@routes.route("/groups/<int:group_id>/results")
@roles_required(*ORGANISERS)
def group_results(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    points = res.group_trend(group.id, TREND_MEETINGS)
    when = [format_date(p.meeting.starts_at, "d MMM") + "\n" + format_date(p.meeting.starts_at, "yyyy")
            for p in points]
    trends = []
    for question in SCALED:
        wording = STEPS[question].question
        trends.append({"key": question, "step": STEPS[question], "chart": line_chart(
            list(zip(when, (p.averages[question] for p in points))),
            _("Line chart of the average answer to \"%(question)s\" at each meeting, from 1 (the lowest) to 5 "
              "(the highest)", question=wording),
            low=1, high=5, ticks=[1, 2, 3, 4, 5], value_text=average_text, tick_text=str)})
    wording = STEPS[PAYMENT_STEP].question
    payment_chart = line_chart(
        list(zip(when, (p.payment_clear_percent for p in points))),
        _("Line chart of the share of people at each meeting who answered Yes to \"%(question)s\"",
          question=wording),
        low=0, high=100, ticks=[0, 25, 50, 75, 100], value_text=percent_text)
    counts = decisions.decision_counts([p.meeting.id for p in points])
    outcomes = [(p, *counts.get(p.meeting.id, (0, 0))) for p in points]
    return render_template("organise/results/group.html",
                           title=with_theirs(_("Checklist results over time: %(name)s"), name=group.name),
                           group=group, points=points, trends=trends, payment_chart=payment_chart,
                           outcomes=outcomes, outcomes_step=STEPS["outcomes"],
                           decided_total=sum(o[1] for o in outcomes), said_total=sum(o[2] for o in outcomes),
                           payment_step=STEPS[PAYMENT_STEP], average_text=average_text, percent_text=percent_text,
                           limit=TREND_MEETINGS, channels=res.group_channels(group.id), hidden_text=hidden_text)


def percent_text(value: float | None) -> str:
    return format_percent(value / 100, "#,##0%") if value is not None else "–"


@routes.route("/meetings/<int:meeting_id>/results/paper", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def paper_checklist(meeting_id):
    """Type in one paper checklist, then the next. Stored like the tablet's answers (no person), marked as
    typed in from paper. The audit log says a form was typed in, never what it said."""
    meeting = _meeting_or_404(meeting_id)
    form = PaperChecklistForm()
    if not form.is_submitted():
        form.form_token.data = new_form_token()
    if form.validate_on_submit():
        if taking_part.claim(form.form_token.data):
            taking_part.save_checklist(meeting.id, stored_answers({name: form[name].data for name in FIELDS}),
                                       ChecklistChannel.PAPER)
            audit.record("type-in-paper-checklist", meeting)
            db.session.commit()
            flash(_("Saved. You can type in the next paper form."))
        return redirect(url_for("organise.paper_checklist", meeting_id=meeting.id))
    return render_template("organise/results/paper.html",
                           title=with_theirs(_("Type in answers from paper: %(name)s"), name=meeting.title),
                           meeting=meeting, form=form, steps=CHECKLIST, answers=ANSWERS), 400 if form.errors else 200
