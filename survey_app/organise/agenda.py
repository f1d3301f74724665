"""A meeting's agenda: add, reword, reorder and remove items. Every change is audited, and the door tablet
is told at once (kiosk.forget_meeting), since its welcome screen shows the agenda."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.agenda import AgendaButtonForm, AgendaItemForm, EditAgendaItemForm
from forms.organise import enum_choices
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import agenda
from ..insight.agenda import AgendaError
from ..models import AgendaItem, AgendaSource, Meeting
from ..participation import kiosk, taking_part
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


def _item(meeting_id: int, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        abort(404)
    return item


def _with_choices(form):
    if "asked_by" in form:
        form.asked_by.choices = enum_choices(AgendaSource)
    return form


def _page(meeting: Meeting, form: AgendaItemForm, problem: str | None = None):
    """The agenda with the add form. The buttons share a token of their own: after any press the page is
    shown again with a new one, and what is typed in the add form keeps its token."""
    status = 400 if form.errors or problem else 200
    if not form.form_token.data or problem:
        form.form_token.data = new_form_token()
    return render_template("organise/agenda.html", title=with_theirs(_("Agenda: %(meeting)s"), meeting=meeting.title),
                           meeting=meeting, items=agenda.items(meeting.id), form=form, problem=problem,
                           button_token=new_form_token()), status


def _done(meeting_id: int, message: str):
    db.session.commit()
    kiosk.forget_meeting(meeting_id)
    flash(message)
    return redirect(url_for("organise.meeting_agenda", meeting_id=meeting_id))


def _already(meeting_id: int):
    """A double click, or a page sent again: the first one did it."""
    flash(_("That was done already."))
    return redirect(url_for("organise.meeting_agenda", meeting_id=meeting_id))


@routes.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def meeting_agenda(meeting_id):
    meeting = _meeting(meeting_id)
    form = _with_choices(AgendaItemForm())
    if form.validate_on_submit():
        if not taking_part.claim(form.form_token.data):
            return _already(meeting.id)
        try:
            agenda.add(meeting, form.what.data, form.easy_read.data or "", by=current_user,
                       asked_by=AgendaSource(form.asked_by.data))
        except AgendaError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            return _done(meeting.id, _("Item added to the agenda."))
    return _page(meeting, form)


@routes.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_agenda_item(meeting_id, item_id):
    item = _item(meeting_id, item_id)
    meeting = _meeting(meeting_id)
    form = EditAgendaItemForm(data={"what": item.what, "easy_read": item.easy_read, "asked_by": item.asked_by.value})
    if item.suggestion_id is not None:
        del form.asked_by  # where it was suggested, as the suggestion says
    _with_choices(form)
    if not form.is_submitted():
        form.form_token.data = new_form_token()
    if form.validate_on_submit():
        if not taking_part.claim(form.form_token.data):
            return _already(meeting.id)
        try:
            agenda.edit(item, form.what.data, form.easy_read.data or "", by=current_user,
                        asked_by=AgendaSource(form.asked_by.data) if "asked_by" in form else None)
        except AgendaError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            return _done(meeting.id, _("Agenda item saved."))
    return render_template("organise/agenda_item.html", title=_("Change an agenda item"), form=form, item=item,
                           meeting=meeting), 400 if form.errors else 200


def _button(meeting_id: int, item_id: int, action):
    """Move up, Move down, Remove: `action(item)` returns the message to show. A second press of the same
    button (its token used already) is told it was done, even when the first one removed the item."""
    form = AgendaButtonForm()
    if not form.validate_on_submit():
        problem = next(iter(form.errors.values()))[0]
        return _page(_meeting(meeting_id), _with_choices(AgendaItemForm(formdata=None)), problem=problem)
    if taking_part.token_used(form.form_token.data):
        return _already(meeting_id)
    item = _item(meeting_id, item_id)
    if not taking_part.claim(form.form_token.data):
        return _already(meeting_id)
    return _done(meeting_id, action(item))


@routes.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move-up", methods=["POST"])
@roles_required(*ORGANISERS)
def move_agenda_item_up(meeting_id, item_id):
    return _button(meeting_id, item_id, lambda item: _("Item moved up.")
                   if agenda.move(item, up=True, by=current_user) else _("That item is at the top already."))


@routes.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move-down", methods=["POST"])
@roles_required(*ORGANISERS)
def move_agenda_item_down(meeting_id, item_id):
    return _button(meeting_id, item_id, lambda item: _("Item moved down.")
                   if agenda.move(item, up=False, by=current_user) else _("That item is at the bottom already."))


def _remove(item: AgendaItem) -> str:
    if agenda.remove(item, by=current_user) is not None:
        return _("Item removed from the agenda. The suggestion it came from is back to New, so you can decide "
                 "again what happens to it.")
    return _("Item removed from the agenda.")


@routes.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
@roles_required(*ORGANISERS)
def remove_agenda_item(meeting_id, item_id):
    return _button(meeting_id, item_id, _remove)
