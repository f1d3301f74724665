"""Likely duplicates and merging two records of one person (survey_app/participation/merging.py has the rules)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.organise import MergeForm

from ..access.roles import ORGANISERS, roles_required
from ..models import Person
from ..participation import merging
from ..web.extensions import db
from ..web.pages import Routes, SimplePage, record_id

routes = Routes()
PAIRS_PER_PAGE = 50


@routes.route("/people/duplicates")
@roles_required(*ORGANISERS)
def duplicates():
    pairs = merging.likely_duplicates()
    page = SimplePage.requested(PAIRS_PER_PAGE, len(pairs))
    start = (page.page - 1) * PAIRS_PER_PAGE
    return render_template("organise/duplicates.html", title=_("Possible duplicates"), page=page,
                           pairs=merging.with_people(pairs[start:start + PAIRS_PER_PAGE]))


@routes.route("/people/<int:person_id>/compare")
@roles_required(*ORGANISERS)
def compare_people(person_id):
    """Two people side by side: /people/<one>/compare?with=<other>."""
    first = db.session.get(Person, person_id) or abort(404)
    second = db.session.get(Person, record_id(request.args.get("with")) or 0) or abort(404)
    # plan(keep, other) counts what `other` holds: so each column's counts come from the plan that merges it away.
    plans = [merging.plan(second, first), merging.plan(first, second)]
    return render_template("organise/merge_compare.html", title=_("Are these the same person?"), people=[first, second],
                           plans=plans, locked=[merging.locked_lines(first.id), merging.locked_lines(second.id)])


@routes.route("/people/<int:person_id>/merge", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def merge_people(person_id):
    """Merge another record into this person's: /people/<kept>/merge?from=<other>, a summary, then confirm."""
    keep_id, other_id = person_id, record_id(request.args.get("from")) or abort(404)
    keep = db.session.get(Person, keep_id) or abort(404)
    other = db.session.get(Person, other_id)
    if other is None:
        # A second press, another tab, or a page left open after the merge.
        flash(str(merging.GONE))
        return redirect(url_for("organise.person", person_id=keep.id))
    form = MergeForm()
    status = 200
    if form.validate_on_submit():
        try:
            merging.merge(keep.id, other.id, current_user)
            db.session.commit()
        except merging.MergeError as error:
            db.session.rollback()
            if str(error) == str(merging.GONE):
                flash(str(error))
                return redirect(url_for("organise.person", person_id=keep_id)) \
                    if db.session.get(Person, keep_id) else abort(404)
            status = 409
        else:
            flash(_("Merged. Everything from person %(other)d now belongs to %(name)s.", other=other_id,
                    name=keep.display_name))
            return redirect(url_for("organise.person", person_id=keep_id))
    work = merging.plan(keep, other)
    return render_template("organise/merge_confirm.html", title=_("Merge into %(name)s", name=keep.display_name),
                           plan=work, form=form), status
