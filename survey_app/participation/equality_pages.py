"""The equality form's pages (issue 18), shared by the door tablet (after "I'm new here") and personal links:
an offer ("Skip this" or start), then one question a page, each with "Skip this". The answers are kept in the
browser's session only, sealed (seal_compact), until the last page; then they are added to the counts in one
transaction (insight/equality.add_form) and forgotten. Nothing of it is written to the audit log or to the
person's record. The offer's one-time token is carried to the end and used up there, so a double tap, a
retry or a second tab counts one form."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, redirect, render_template, request
from flask_babel import gettext as _

from forms.equality import EqualityOfferForm, EqualityStepForm
from forms.tokens import new_form_token

from ..insight import equality
from ..web.extensions import db
from . import taking_part
from .seal import seal_compact, unseal_compact

KEYS = [q.key for q in equality.QUESTIONS]


@dataclass(frozen=True)
class Place:
    """Where the pages are: `url(key)` a question's page (None: the offer), `done_url` where they go after,
    `base` the layout, `get`/`put` the sealed answers in this browser's session (`put(None)` forgets them),
    `group_id` the group whose counts they join, `visit` the door visit (None off the tablet)."""

    url: Callable[[str | None], str]
    done_url: str
    base: str
    get: Callable[[], str | None]
    put: Callable[[str | None], None]
    group_id: int
    visit: str | None = None
    context: dict | None = None


def _state(place: Place) -> dict | None:
    state = unseal_compact(place.get()) if place.get() else None
    return state if isinstance(state, dict) and isinstance(state.get("a"), dict) and state.get("t") else None


def _keep(place: Place, state: dict) -> None:
    place.put(seal_compact(state))


def offer_page(place: Place):
    form = EqualityOfferForm(visit=place.visit)
    if not form.is_submitted():
        form.form_token.data = new_form_token(place.visit)
    if form.validate_on_submit():
        if "start" not in request.form or taking_part.token_used(form.form_token.data):
            place.put(None)
            return redirect(place.done_url)
        _keep(place, {"t": form.form_token.data, "a": {}})
        return redirect(place.url(KEYS[0]))
    return render_template("door/equality_offer.html", title=_("Would you like to tell us about yourself?"),
                           form=form, base=place.base, skip_url=place.done_url, **(place.context or {})), \
        400 if form.errors else 200


def question_page(place: Place, key: str):
    q = equality.question(key) or abort(404)
    state = _state(place)
    form = EqualityStepForm(visit=place.visit)
    if state is None:
        # Sent already (a double tap, a second tab), or never started here: nothing to count.
        if form.is_submitted() and taking_part.token_used(form.form_token.data):
            return redirect(place.done_url)
        return redirect(place.url(None))
    if not form.is_submitted():
        form.form_token.data = state["t"]
    if form.validate_on_submit():
        answers = dict(state["a"])
        chosen = request.form.get("answer", "")
        if "skip" in request.form or chosen not in q.values:
            answers.pop(key, None)
        else:
            answers[key] = chosen
        number = KEYS.index(key)
        if number + 1 < len(KEYS):
            _keep(place, {**state, "a": answers})
            return redirect(place.url(KEYS[number + 1]))
        place.put(None)  # forgotten whatever happens next
        if taking_part.claim(state["t"]):
            equality.add_form(place.group_id, answers)
            db.session.commit()
        return redirect(place.done_url)
    number = KEYS.index(key)
    back = place.url(KEYS[number - 1] if number else None)
    return render_template("door/equality_step.html", title=str(q.text), form=form, question=q,
                           current=state["a"].get(key), number=number + 1, total=len(KEYS), back=back,
                           base=place.base, last=number + 1 == len(KEYS), **(place.context or {})), \
        400 if form.errors else 200
