"""A group's public link: anyone can suggest something to talk about, even if they cannot come."""
from datetime import timedelta

from flask import abort, current_app, render_template, url_for
from flask_babel import gettext as _

from ..access.rate_limit import Limit
from ..access.roles import public
from ..models import Group
from ..participation.shared_pages import suggest_page
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/have-your-say/<int:group_id>", methods=["GET", "POST"])
@public
@keeps_input
def group_suggest(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    # Anyone can post here without signing in: each address may send GROUP_LINK_SUGGESTIONS_PER_HOUR
    # (every group's link counted together), and what arrives is held from the public until an organiser
    # has looked at it (suggestions.shown_publicly).
    limit = Limit("group-link-suggest", current_app.config["GROUP_LINK_SUGGESTIONS_PER_HOUR"], timedelta(hours=1))
    return suggest_page(group.id, None, "link", done_url=url_for("invite.group_thanks", group_id=group.id),
                        back_url=url_for("invite.group_suggest", group_id=group.id), base="invite/base.html",
                        heading=with_theirs(_("Suggest something for %(group)s to talk about"), group=group.name),
                        limit=limit)


@routes.route("/have-your-say/<int:group_id>/thanks")
@public
def group_thanks(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    return render_template("invite/thanks.html", title=_("Thank you"),
                           back_url=url_for("invite.group_suggest", group_id=group.id), meeting=None,
                           group_link=True)
