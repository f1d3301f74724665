"""The base form every form in the service uses."""
import re

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from wtforms import PasswordField, StringField, ValidationError

# Unicode's control characters (category Cc: C0, DEL and C1) except tab and newline.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value):
    """Trim whitespace and drop control characters (NUL and friends) that no person typed on purpose."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n")
    value = CONTROL_RE.sub("", value)
    return value.strip()


class BaseForm(FlaskForm):
    """Strips text fields, and turns an expired or missing CSRF token into a sentence a person can act on."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = [clean_text, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        token = getattr(self, "csrf_token", None)
        if token is not None and g.get("csrf_refused"):  # see errors.csrf_failed
            token.errors = ["refused"]
            ok = False
        if token is not None and token.errors:
            token.errors = [_("This page was open for a long time, so we could not save it yet. "
                              "Check your answers and press the button again.")]
        return ok


def csrf_passed() -> bool:
    """The CSRF check a FlaskForm makes in validate(), for a view that reads request.form without building
    one: passed if CSRFProtect's before_request already accepted this request (it sets g.csrf_valid) or
    CSRF is off. Otherwise, e.g. when errors.csrf_failed re-runs a keeps_input view after CSRFProtect
    refused the token, the token is checked here exactly as the form would, and that fails too."""
    if g.get("csrf_refused"):  # CSRFProtect refused this request (see errors.csrf_failed)
        return False
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or g.get("csrf_valid"):
        return True
    try:
        validate_csrf(request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    except ValidationError:
        return False
    return True
