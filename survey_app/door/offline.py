"""The door tablet's offline mode (issue 19), its two addresses: the pack the tablet keeps while the network
is there, and the sync that sends what it queued while it was not (participation/offline.py does the work).
Both answer JSON and are never cached. Door mode only, like every door page: any other browser gets the
door's usual refusal."""
from datetime import timedelta

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Forbidden

from ..access import rate_limit
from ..models import Meeting
from ..participation import kiosk, offline
from ..participation.kiosk import door_only, on_its_day
from ..privacy import audit
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()
# The pack hands out the whole roster of first names at once, so a tablet may fetch it only so often
# (it refetches whenever the network comes back; a loop or a stolen tablet hits this).
PACKS_PER_TABLET = rate_limit.Limit("door-offline-pack", 30, timedelta(minutes=10))


def _json(body: dict, status: int = 200, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def refusal(message: str, status: int):
    """A JSON refusal with a plain sentence (also used for a refused CSRF token: web/errors.py)."""
    return _json({"error": message}, status)


@routes.route("/door/offline/pack", methods=["POST"])
@door_only
def offline_pack():
    """A POST with the page's CSRF token (X-CSRFToken), not a GET: fetching the pack counts against the
    tablet's limit and is written to the audit log, and no GET changes anything."""
    meeting = db.session.get(Meeting, kiosk.meeting_id()) or abort(404)
    if not on_its_day(meeting):
        return refusal(_("This meeting is not today, so the tablet cannot get ready for it."), 409)
    if not rate_limit.take(PACKS_PER_TABLET, rate_limit.digest(kiosk.tablet_key())):
        return _json({"error": _("This tablet has asked too often. Please wait a few minutes.")}, 429,
                     {"Retry-After": str(int(PACKS_PER_TABLET.per.total_seconds()))})
    body = offline.pack(meeting)
    # For the sync's X-CSRFToken header. It expires (WTF_CSRF_TIME_LIMIT, 8 hours), so a tablet that was
    # offline longer fetches the pack again before it sends its queue.
    body["csrf"] = generate_csrf()
    body["csrf_seconds"] = current_app.config.get("WTF_CSRF_TIME_LIMIT") or 0
    audit.record("door-offline-pack", meeting)
    db.session.commit()
    return _json(body)


@routes.route("/door/offline/sync", methods=["POST"])
@door_only
def offline_sync():
    """{"items": [...]} in the tablet's queue order, at most MAX_ITEMS; each applied in order, once, in its
    own transaction. The answer lists every item's outcome in the same order."""
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return refusal(_("Nothing was sent that we could read. Please try again."), 400)
    if len(items) > offline.MAX_ITEMS:
        return refusal(ngettext("Please send at most %(num)d item at a time.",
                                "Please send at most %(num)d items at a time.", offline.MAX_ITEMS), 413)
    meeting = kiosk.meeting(fresh=True) or abort(404)
    db.session.rollback()  # each item starts its own transaction
    return _json({"results": [offline.apply(meeting, item).as_json() for item in items]})


def _csrf_refused():
    """For web/errors.py when CSRFProtect refuses the token of the pack or the sync: a browser that is not a door
    tablet gets the door's usual refusal whatever its token; the tablet's script gets a sentence in JSON."""
    if kiosk.meeting_id() is None:  # (inside an error handler: abort() would not be handled again)
        return current_app.handle_http_exception(Forbidden())
    return refusal(_("For your security we could not save that. Please fetch the tablet's pack again and send "
                     "it once more."), 400)


offline_pack.csrf_refused = offline_sync.csrf_refused = _csrf_refused
