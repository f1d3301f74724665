"""Participant forms: the door tablet and personal links. Short labels, one idea each."""
from flask import current_app
from flask_babel import LazyString, lazy_ngettext, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectChoice, StringField, TelField, TextAreaField

from . import checklist
from .base import BaseForm, clean_text, csrf_passed
from .fields import Radios
from .tokens import FORM_TOKEN_RE, form_token_problem, new_form_token, token_visit_tag
from .validators import EmailAddress, MaxLength, PhoneNumber, Required, ValidationError

TEXT_LIMIT = 2000


def inactive_years() -> int:
    """How long after someone's last meeting `retention run` erases them (RETENTION_INACTIVE_YEARS)."""
    return int(current_app.config.get("RETENTION_INACTIVE_YEARS", 2))


def _consent_promise() -> str:
    return ngettext("We keep your name and how to contact you so we can invite you and thank you. We delete "
                    "them %(num)d year after your last meeting.",
                    "We keep your name and how to contact you so we can invite you and thank you. We delete "
                    "them %(num)d years after your last meeting.", inactive_years())


def _short_text(limit=TEXT_LIMIT):
    return MaxLength(limit, lazy_ngettext("Please write less. You can use up to %(num)d letter.",
                                          "Please write less. You can use up to %(num)d letters.", limit))


class OnceForm(BaseForm):
    """Carries a one-time token so a double tap or a refresh cannot save the same thing twice, and a
    token the server never issued (or issued too long ago) saves nothing: the form is shown again, with
    what was typed and a fresh token."""

    form_token = HiddenField()

    def __init__(self, *args, visit: str | None = None, **kwargs):
        """`visit`: the door visit's key, bound into any token this form makes (None off the tablet)."""
        super().__init__(*args, **kwargs)
        self.visit = visit

    def validate_form_token(self, field):
        problem = form_token_problem(field.data)
        if problem is not None:
            field.data = new_form_token(self.visit)
            raise ValidationError(problem)

    def draft_key(self) -> str:
        """What the page's drafts (participant.js) are kept under besides the address: the visit the form
        was shown in, so one person's draft is never put back into the next person's form."""
        return token_visit_tag(self.form_token.data) if FORM_TOKEN_RE.match(self.form_token.data or "") else ""


class NameSearchForm(BaseForm):
    name = StringField(_l("Type the first letters of your name"),
                       description=_l("Your first name. You can add the first letter of your last name. "
                                     "Then press Find me."),
                       validators=[Required(_l("Type at least 2 letters of your name.")), _short_text(100)],
                       render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "words"})

    def validate_name(self, field):
        if len(field.data.replace(" ", "")) < 2:
            raise ValidationError(_l("Type at least 2 letters of your name."))


class PickForm(BaseForm):
    pick = HiddenField()


class ConfirmForm(OnceForm):
    pick = HiddenField()


def confirmed(formdata) -> tuple[str | None, str] | None:
    """(pick, form_token) if ConfirmForm().validate_on_submit() would pass on this POST, else None.
    The sign-in confirm is the busiest POST and shows no errors (it redirects), so it reads its two
    hidden fields here instead of building the form, whose construction signs a CSRF token nobody sees.
    Same checks: the CSRF token (see csrf_passed), text cleaned like BaseForm, OnceForm's token check."""
    if not csrf_passed():
        return None
    token = clean_text(formdata.get("form_token"))
    if form_token_problem(token) is not None:
        return None
    return clean_text(formdata.get("pick")), token


PERSON_ROLES = [SelectChoice("lived_experience", _l("I have lived experience")),
                SelectChoice("carer", _l("I am a carer")), SelectChoice("staff", _l("I am a member of staff")),
                SelectChoice("volunteer", _l("I am a volunteer")), SelectChoice("other", _l("Something else"))]
CONTACT_CHOICES = [SelectChoice("email", _l("Email")), SelectChoice("text", _l("Text message")),
                   SelectChoice("phone", _l("Phone call")), SelectChoice("post", _l("Letter in the post")),
                   SelectChoice("through_someone", _l("Through someone I know"))]
FORMAT_CHOICES = [SelectChoice("easy_read", _l("Easy read")), SelectChoice("large_print", _l("Large print")),
                  SelectChoice("audio", _l("Audio")), SelectChoice("standard", _l("Standard print"))]


# Registering at the door is one question a page (survey_app/door/register.py): a form for each page, with
# the messages the one-page form had. What each page asks is kept in the visit until "Check your answers".
class NameStep(OnceForm):
    """Not one-time (a page's answer only changes what is kept in the visit); the token says which visit the
    page was shown in, and keeps the page's draft to that visit. The same for every step below."""

    first_name = StringField(_l("Your first name"), validators=[
        Required(_l("Type your first name.")), _short_text(100)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "words"})
    last_name = StringField(_l("Your last name"), validators=[
        Required(_l("Type your last name.")), _short_text(100)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "words"})


class RoleStep(OnceForm):
    role = Radios(_l("Who are you in the group?"), choices=PERSON_ROLES,
                  message=_l("Choose who you are in the group."))


class ContactStep(OnceForm):
    contact_method = Radios(_l("How should we contact you?"), choices=CONTACT_CHOICES,
                            message=_l("Choose how we should contact you."))


class EmailStep(OnceForm):
    """Asked only of someone who chose email."""

    email = EmailField(_l("Your email address"), validators=[
        EmailAddress(_l("Type your email address like this: name@example.org")), _short_text(254)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "email"})

    def validate_email(self, field):
        if not field.data:
            raise ValidationError(_l("Type your email address, or choose another way to contact you."))


class PhoneStep(OnceForm):
    """Asked only of someone who chose a phone call or a text message."""

    phone = TelField(_l("Your phone number"), validators=[
        PhoneNumber(_l("Type your phone number using numbers, like 07700 900123."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"})

    def validate_phone(self, field):
        if not field.data:
            raise ValidationError(_l("Type your phone number, or choose another way to contact you."))


class AddressStep(OnceForm):
    """Asked only of someone who chose a letter in the post."""

    address = TextAreaField(_l("Your address"), validators=[_short_text(1000)], render_kw={"autocomplete": "off"})

    def validate_address(self, field):
        if not field.data:
            raise ValidationError(_l("Type your address, or choose another way to contact you."))


class LettersAddressStep(OnceForm):
    """Asked only of someone who chose "Through someone I know": where their letters go (that person's)."""

    address = TextAreaField(_l("The address to send your letters to"),
                            description=_l("The address of the person who passes messages on to you."),
                            validators=[_short_text(1000)], render_kw={"autocomplete": "off"})

    def validate_address(self, field):
        if not field.data:
            raise ValidationError(_l("Type the address to send your letters to, or choose another way to "
                                     "contact you."))


class FormatStep(OnceForm):
    information_format = Radios(_l("How do you like to get information?"), choices=FORMAT_CHOICES,
                                message=_l("Choose how you like to get information."))


class ConsentStep(OnceForm):
    consent = BooleanField(_l("Yes, you can keep my details"),
                           description=LazyString(_consent_promise))  # the number is the real setting

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box so we can keep your details. If you do not want to, "
                                     "please talk to a member of staff."))


class RegisterSaveForm(OnceForm):
    """"Check your answers": only the one-time token, claimed when the person is saved. `new_here` is "yes"
    once they have said "No, I am new" to "Have you been here before?"."""

    new_here = HiddenField()


class SupportForm(OnceForm):
    """One checkbox per kind of support (added by the view from NeedKind), the details, and whether to remember."""

    other_detail = TextAreaField(_l("Tell us what else you need"), validators=[_short_text(500)])
    food_detail = StringField(_l("Tell us about your food needs"), validators=[_short_text(500)])
    remember = Radios(_l("Should we remember this for future meetings?"),
                      choices=[SelectChoice("yes", _l("Yes, remember it")),
                               SelectChoice("no", _l("No, just for this meeting"))],
                      message=_l("Choose if we should remember this."))

    def chosen(self, kinds) -> dict:
        picked = {kind: "" for kind in kinds if self[f"need_{kind.value}"].data}
        for kind in picked:
            if kind.value == "other":
                picked[kind] = self.other_detail.data or ""
            elif kind.value == "food":
                picked[kind] = self.food_detail.data or ""
        return picked

    def validate_other_detail(self, field):
        if self["need_other"].data and not field.data:
            raise ValidationError(_l("Tell us what else you need, or untick Something else."))


def support_form_class(kinds):
    """A SupportForm with a checkbox for each kind of need, built once at import by the door package."""
    attrs = {f"need_{kind.value}": BooleanField(kind.label) for kind in kinds}
    return type("NeedsForm", (SupportForm,), attrs)


class SuggestForm(OnceForm):
    what = TextAreaField(_l("What would you like us to talk about?"), validators=[
        Required(_l("Tell us what you would like to talk about.")), _short_text()])
    why = TextAreaField(_l("Why does it matter to you? (you can leave this empty)"), validators=[_short_text()])
    name = StringField(_l("Your name (you can leave this empty)"),
                       description=_l("Leave it empty if you do not want to say who you are."),
                       validators=[_short_text(200)], render_kw={"autocomplete": "off", "spellcheck": "false"})

    def __init__(self, *args, autofill: bool = False, **kwargs):
        """`autofill`: True on a person's own device (a personal link, a group's have-your-say link), where
        the browser may offer their own name (autocomplete="name", WCAG 1.3.5 input purpose). False on the
        door tablet, which many people share: autocomplete stays "off" so it never offers the last person's."""
        super().__init__(*args, **kwargs)
        if autofill:  # a new dict: WTForms shares render_kw between every form of the class
            self.name.render_kw = {**self.name.render_kw, "autocomplete": "name"}


def _with_answer_fields(form_class):
    """Add a hidden field for every answer of the checklist (forms/checklist.py), comments limited in length."""
    for name in checklist.FIELDS:
        setattr(form_class, name, HiddenField(validators=[_short_text()] if name in checklist.COMMENTS else None))
    return form_class


@_with_answer_fields
class ChecklistForm(OnceForm):
    """All the answers travel with every page as hidden fields, so nothing is kept on the server or in
    a cookie until the last page, and the response never touches anything that says who answered."""


THANKS_CHOICES = [SelectChoice("paid", _l("Please pay me")), SelectChoice("voucher", _l("A voucher, please")),
                  SelectChoice("thanks_only", _l("Just say thank you")),
                  SelectChoice("nothing", _l("I don't want anything"))]


class ThanksChoiceForm(OnceForm):
    """Not one-time (choosing again just changes the choice); the token says which visit it was shown in."""

    preference = Radios(_l("How would you like us to thank you for your time?"), choices=THANKS_CHOICES,
                        message=_l("Choose how you would like us to thank you."))
    benefits_check = BooleanField(_l("I get benefits: please talk to me before paying me"),
                                  description=_l("Some payments can affect benefits. We will talk to you first."))
