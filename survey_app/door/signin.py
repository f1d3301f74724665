"""Signing in at the door: find yourself by your first name (and the first letter of your last name).
Someone new registers instead (door/register.py), and both are asked how they want to be thanked.

What the tablet gives away is kept small (issue 12): only people connected to the meeting's group are
found, by first name and surname initial only (taking_part.door_matches), never more than a few at a
time, a limited number of searches per visit, per tablet and per address, and each name's `pick` is
sealed (see door/seal.py), so it shows no database id."""
import time
from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from forms.door import ConfirmForm, NameSearchForm, PickForm, ThanksChoiceForm, confirmed

from ..access import rate_limit
from ..models import Person
from ..participation import kiosk, seal, taking_part
from ..participation.kiosk import door_only
from ..web.extensions import db
from ..web.pages import Routes, keeps_input


def sign_in_title() -> str:
    """The door's "Sign in": a person arriving at a meeting, not a staff member signing in to an account."""
    return pgettext("at the meeting door", "Sign in")


routes = Routes()
PICK_MAX_AGE = 15 * 60
# How many name searches the door allows: per visit (one person's turn), per tablet, per client address
# (several tablets may share a venue's connection). Past any of them the tablet asks for a member of staff.
SEARCHES_PER_VISIT = rate_limit.Limit("door-search-visit", 10, timedelta(hours=1))
SEARCHES_PER_TABLET = rate_limit.Limit("door-search-tablet", 60, timedelta(minutes=10))
ADDRESS_SEARCH_WINDOW = timedelta(minutes=10)  # the count is DOOR_SEARCHES_PER_ADDRESS (config, default 600)
TOO_MANY_SEARCHES = _l("Please ask a member of staff to help you sign in.")


def _pick_for(person: Person) -> str:
    """An opaque, short-lived (PICK_MAX_AGE), tamper-proof stand-in for a person's id, tied to this tablet's
    meeting: encrypted, so neither the id nor anything else can be read out of it."""
    return seal.seal({"p": person.id, "m": kiosk.meeting_id(), "t": int(time.time())})


def _picked_id(pick: str | None) -> int | None:
    """The person id in a pick sealed for this meeting less than PICK_MAX_AGE ago (a minute ahead is
    allowed: app servers' clocks differ a little), else None."""
    data = seal.unseal(pick)
    if not isinstance(data, dict) or data.get("m") != kiosk.meeting_id():
        return None
    if not isinstance(data.get("t"), int) or not -60 <= time.time() - data["t"] <= PICK_MAX_AGE:
        return None
    return data.get("p") if isinstance(data.get("p"), int) else None


def _search_allowed() -> bool:
    """Count this search against the visit, the tablet and the address; False (nothing counted) if any
    of them has had its share."""
    keys = [(SEARCHES_PER_VISIT, rate_limit.digest("visit:" + kiosk.visit_key())),
            (SEARCHES_PER_TABLET, rate_limit.digest("tablet:" + kiosk.tablet_key())),
            (rate_limit.Limit("door-search-address", current_app.config.get("DOOR_SEARCHES_PER_ADDRESS", 600),
                              ADDRESS_SEARCH_WINDOW), rate_limit.client_key())]
    if any(rate_limit.hits(limit, key) >= limit.count for limit, key in keys):
        return False
    for limit, key in keys:
        rate_limit.hit(limit, key)
    db.session.commit()
    return True


def _person_from(pick: str | None) -> Person | None:
    picked = _picked_id(pick)
    return None if picked is None else db.session.get(Person, picked)


@routes.route("/door/sign-in", methods=["GET", "POST"])
@door_only
@keeps_input
def sign_in():
    form = NameSearchForm()
    matches = None
    too_many = False
    if form.validate_on_submit():
        if not _search_allowed():
            return render_template("door/sign_in.html", title=sign_in_title(), form=form, matches=None,
                                   refused=TOO_MANY_SEARCHES), 429
        found = taking_part.door_matches(form.name.data, kiosk.meeting().group_id)
        too_many = found is None
        matches = [(taking_part.short_name(p), _pick_for(p)) for p in found or []]
    return render_template("door/sign_in.html", title=sign_in_title(), form=form, matches=matches,
                           too_many=too_many), 400 if form.errors else 200


@routes.route("/door/sign-in/check", methods=["POST"])
@door_only
@keeps_input
def check():
    picked = PickForm()
    person = _person_from(picked.pick.data) if picked.validate_on_submit() else None
    if person is None:
        return redirect(url_for("door.sign_in"))
    form = ConfirmForm(pick=picked.pick.data, form_token=kiosk.form_token())
    return render_template("door/confirm.html", title=_("Is this you?"), form=form,
                           name=taking_part.short_name(person))


@routes.route("/door/sign-in/confirm", methods=["POST"])
@door_only
@keeps_input
def confirm():
    submitted = confirmed(request.form)  # ConfirmForm's checks, CSRF included, without building it
    if submitted is None:
        return redirect(url_for("door.sign_in"))
    pick, form_token = submitted
    person_id = _picked_id(pick)
    if person_id is None:
        return redirect(url_for("door.sign_in"))
    # No read first: the busiest write in the service. A person removed since the pick was signed
    # fails the foreign key, and the tablet goes back to the search.
    # The audit entry ("door-sign-in", naming the meeting) is written in the same transaction.
    if not taking_part.sign_in_once(form_token, kiosk.meeting_id(), person_id):
        return redirect(url_for("door.sign_in"))
    kiosk.set_person(person_id, registered=False)
    return redirect(url_for("door.support"))


@routes.route("/door/thank-you-choice", methods=["GET", "POST"])
@door_only
@keeps_input
def thanks_choice():
    """One question for someone new: how they would like to be thanked for their time. Only someone who
    registered in this visit is asked; anyone else goes on, and what they send is not saved."""
    person_id = kiosk.person_id()
    if person_id is None:
        return redirect(url_for("door.sign_in"))
    if not kiosk.registered_here():
        return redirect(url_for("door.support"))
    form = ThanksChoiceForm(visit=kiosk.visit_key())
    if not form.is_submitted():
        form.form_token.data = kiosk.form_token()
    if form.validate_on_submit():
        person = db.session.get(Person, person_id)
        person.recognition_preference = form.preference.data
        person.benefits_check = bool(form.benefits_check.data)
        db.session.commit()
        return redirect(url_for("door.equality"))
    return render_template("door/thanks_choice.html", title=_("How should we thank you?"), form=form), \
        400 if form.errors else 200
