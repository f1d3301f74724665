"""The support and suggestion pages, shared by the door tablet and personal links. They are page
handlers: as a view does, each commits what a person sends."""
from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms.base import BaseForm
from forms.door import SuggestForm, support_form_class
from forms.tokens import new_form_token

from ..access import rate_limit
from ..models import Group, Meeting, NeedKind, Person
from ..privacy import audit
from ..web.extensions import db
from . import taking_part

TOO_MANY_IDEAS = _l("Thank you for your ideas. We cannot take any more from this internet connection for now. "
                    "Please send this one again in an hour: what you wrote is still below.")
NEED_KINDS = list(NeedKind)
# Where a suggestion page is on the person's own device (a personal link, a group's link), so the browser may
# fill in their name; anything else (the door tablet, "door") keeps autofill off.
HOME_SOURCES = frozenset({"invite", "link"})
NeedsForm = support_form_class(NEED_KINDS)


def support_page(meeting: Meeting, person_id: int, done_url: str, skip_url: str, base: str, door: bool = False,
                 visit: str | None = None, contact_group: Group | None = None):
    """The support page; commits what is sent. The person's own link (door=False) shows their needs and
    changes them. At the door (door=True) nothing stored is shown, since whoever is at the tablet may not
    be that person: the form starts empty, says only that needs are on file, and what is ticked is added
    (taking_part.add_needs).
    `contact_group`: on a personal link, the group whose contact people can ask for help (invite/base.html).
    `visit`: the door visit's key, bound into the form's token (a personal link needs none: it is the person's)."""
    if door:
        return _door_support_page(meeting, person_id, done_url, skip_url, base, visit)
    form = NeedsForm(visit=visit)
    if not form.is_submitted():
        form.form_token.data = new_form_token(visit)
        standing = taking_part.standing_needs(person_id)
        for need in [*standing, *taking_part.needs_for_meeting(person_id, meeting.id)]:
            form[f"need_{need.kind.value}"].data = True
            if need.kind == NeedKind.OTHER:
                form.other_detail.data = need.detail
            elif need.kind == NeedKind.FOOD:
                form.food_detail.data = need.detail
        form.remember.data = "yes" if standing else None
    if form.validate_on_submit():
        if taking_part.claim(form.form_token.data):
            taking_part.save_needs(person_id, meeting.id, form.chosen(NEED_KINDS), form.remember.data == "yes")
            taking_part.commit_once()
        return redirect(done_url)
    return render_template("door/support.html", title=_("Do you need any support today?"), form=form,
                           kinds=NEED_KINDS, skip_url=skip_url, base=base, contact_group=contact_group), \
        400 if form.errors else 200


def _door_support_page(meeting, person_id: int, done_url: str, skip_url: str, base: str, visit: str | None):
    form = NeedsForm(visit=visit)
    if not form.is_submitted():
        form.form_token.data = new_form_token(visit)
    if form.validate_on_submit():
        if taking_part.claim(form.form_token.data):
            remember = form.remember.data == "yes"
            added = taking_part.add_needs(person_id, meeting.id, form.chosen(NEED_KINDS), remember)
            if added:
                audit.record("door-needs", db.session.get(Person, person_id), after={
                    "meeting_id": meeting.id, "added": [kind.value for kind in added], "remember": remember})
            taking_part.commit_once()
        return redirect(done_url)
    on_file = bool(taking_part.standing_needs(person_id))
    return render_template("door/support.html", title=_("Do you need any support today?"), form=form,
                           kinds=NEED_KINDS, skip_url=skip_url, base=base, on_file=on_file), \
        400 if form.errors else 200


def suggest_page(group_id: int, meeting_id: int | None, source: str, done_url: str, back_url: str, base: str,
                 heading: str | None = None, limit: rate_limit.Limit | None = None, visit: str | None = None,
                 contact_group: Group | None = None):
    """The suggestion page; commits what is sent. `limit`: how many suggestions one client address may
    send (the open group link); over it, the form is shown again with what was typed, status 429, and
    nothing is saved or used up. `visit`, `contact_group`: as support_page. `source` also says whether the
    name field may be filled in by the browser (HOME_SOURCES) or not (the shared door tablet)."""
    form = SuggestForm(visit=visit, autofill=source in HOME_SOURCES)
    if not form.is_submitted():
        form.form_token.data = new_form_token(visit)
    if form.validate_on_submit():
        if taking_part.claim(form.form_token.data):
            if limit is not None and not rate_limit.take(limit):
                db.session.rollback()  # the token is not used up, so the same page can send it later
                return _suggest_form(form, heading, back_url, base, contact_group, refused=TOO_MANY_IDEAS), 429, \
                    {"Retry-After": str(int(limit.per.total_seconds()))}
            taking_part.suggest(group_id, meeting_id, form.what.data, form.why.data or "", form.name.data or "",
                                  source)
            db.session.commit()
        return redirect(done_url)
    return _suggest_form(form, heading, back_url, base, contact_group), 400 if form.errors else 200


def _suggest_form(form, heading, back_url, base, contact_group, refused=None):
    return render_template("door/suggest.html", title=heading or _("Suggest something to talk about"), form=form,
                           back_url=back_url, base=base, refused=refused, contact_group=contact_group)


def choose_language(back_url: str):
    """A link's language buttons (personal link, the meeting's link): the chosen language, if it is one we
    have, is kept in this browser's session for the visit; then back to `back_url`."""
    BaseForm().validate_on_submit()  # CSRFProtect has already checked the token
    if request.form.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.form["lang"]
    return redirect(back_url)
