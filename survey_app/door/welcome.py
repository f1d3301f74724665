"""The welcome screen, language and display choices, the thank-you screen, and leaving door mode."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forms.auth import LoginForm
from forms.base import BaseForm

from ..access import accounts
from ..access.roles import ORGANISERS, roles_required
from ..access.throttle import refused_sign_in
from ..models import Meeting, Role
from ..models.base import utcnow
from ..participation import kiosk
from ..participation.checklist_pages import checklist_open
from ..participation.kiosk import door_only, on_its_day
from ..privacy import audit
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()


# Door pages a tablet still answers once its meeting's day is over: the "ended" screen, and ways out.
OPEN_AFTER_THE_DAY = {"door.welcome", "door.exit_door_mode", "door.start_again", "door.language", "door.display",
                      "door.thanks", "door.service_worker"}
# Door addresses that answer JSON and check the day themselves (door/offline.py: the sync takes the queue the
# day after too).
OWN_DAY_CHECK = {"door.offline_pack", "door.offline_sync"}


def only_on_its_day():
    """A tablet left in door mode after its meeting's day takes no more sign-ins or answers; except that
    checklist pages already being answered when midnight passes are still saved (they are anonymous and
    pay nobody, and a person's answers are never thrown away)."""
    if request.endpoint in OPEN_AFTER_THE_DAY or request.endpoint in OWN_DAY_CHECK or kiosk.meeting_id() is None:
        return None
    meeting = kiosk.meeting()
    if meeting is None or on_its_day(meeting):
        return None
    if request.endpoint == "door.checklist_step" and on_its_day(meeting, days_after=1):
        return None
    return redirect(url_for("door.welcome"))


@routes.route("/meetings/<int:meeting_id>/door-mode", methods=["POST"])
@roles_required(*ORGANISERS)
def start_door_mode(meeting_id):
    """Turn this browser into the meeting's door tablet. The organiser is signed out of it first,
    so the tablet never holds a staff session."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    BaseForm().validate_on_submit()  # CSRFProtect has already checked the token
    if meeting.kind.is_activity:
        return render_template("organise/door_mode_refused.html", title=_("Door mode is only for meetings"),
                               meeting=meeting), 409
    if not on_its_day(meeting):
        return render_template("organise/door_mode_refused.html", title=_("Door mode is for the day of the meeting"),
                               meeting=meeting), 409
    audit.record("door-mode-start", meeting)
    accounts.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    kiosk.start(meeting.id)
    kiosk.forget_meeting(meeting.id)
    return redirect(url_for("door.welcome"))


def refuse_form_from_other_visit():
    """Before every door view: a form shown in another visit saves nothing (kiosk.form_from_other_visit)."""
    if kiosk.form_from_other_visit():
        return render_template("door/other_visit.html",
                               title=_("This screen was for someone else")), 409
    return None


@routes.route("/door/")
@door_only
def welcome():
    if kiosk.person_id():
        kiosk.set_person(None)  # keep the language and display choices, forget who signed in: a new visit
    meeting = kiosk.meeting() or abort(404)
    if not on_its_day(meeting):
        not_yet = meeting.starts_at > utcnow()  # its day was moved after door mode started
        return render_template("door/ended.html", meeting=meeting, not_yet=not_yet,
                               title=_("This meeting is not today") if not_yet else _("This meeting has ended"))
    return render_template("door/welcome.html", title=_("Welcome"), meeting=meeting,
                           checklist_open=checklist_open(meeting), form=BaseForm())


@routes.route("/door/language", methods=["POST"])
@door_only
def language():
    BaseForm().validate_on_submit()
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        kiosk.update_visit(lang=lang)
    return redirect(url_for("door.welcome"))


@routes.route("/door/display", methods=["POST"])
@door_only
def display():
    BaseForm().validate_on_submit()
    setting = request.form.get("setting")
    if setting in ("big", "hc"):
        kiosk.update_visit(**{setting: not kiosk.visit().get(setting, False)})
    return redirect(url_for("door.welcome"))


@routes.route("/door/thanks")
@door_only
def thanks():
    page = render_template("door/thanks.html", title=_("Thank you"), meeting=kiosk.meeting())
    kiosk.end_visit()  # rendered in their language, then forgotten
    return page


@routes.route("/door/carry-on", methods=["POST"])
@door_only
def carry_on():
    """From the thank-you screen to "Suggest something" or "Vote": a new visit (nobody signed in), in the
    language and display the last screen was shown in, so the person does not have to choose them again."""
    BaseForm().validate_on_submit()  # CSRFProtect has already checked the token
    kiosk.end_visit()
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        kiosk.update_visit(lang=lang)
    for setting in ("big", "hc"):
        if request.form.get(setting) == "1":
            kiosk.update_visit(**{setting: True})
    to = {"suggest": "door.suggest", "vote": "door.vote"}.get(request.form.get("to", ""), "door.welcome")
    return redirect(url_for(to))


@routes.route("/door/start-again", methods=["POST"])
@door_only
def start_again():
    """The next person, or the idle timer, clears everything the last person did."""
    BaseForm().validate_on_submit()
    kiosk.end_visit()
    return redirect(url_for("door.welcome"))


@routes.route("/door/exit", methods=["GET", "POST"])
@door_only
@keeps_input
def exit_door_mode():
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        user = result.user
        if user is not None and user.role in ORGANISERS:
            meeting_id = kiosk.meeting_id()
            kiosk.stop()
            accounts.start_session(user)
            login_user(user)
            meeting = db.session.get(Meeting, meeting_id)
            if meeting is not None:
                audit.record("door-mode-stop", meeting, user=user)
            db.session.commit()
            flash(_("Door mode has ended on this device."))
            return redirect(url_for("organise.meeting", meeting_id=meeting_id))
        if result.refused:
            message, status, headers = refused_sign_in(result.refused)
            form.password.errors.append(message)
        elif user is not None and user.role == Role.FINANCE:
            form.password.errors.append(_("Only an organiser or an admin can end door mode."))
        else:
            form.password.errors.append(_("The email address or password is not right. Check them and try again."))
    if form.errors and status == 200:
        status = 400
    return render_template("door/exit.html", title=_("End door mode"), form=form), status, headers
