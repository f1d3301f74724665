"""Organisers' forms about the messages the hub sends (the participant's "stop" form is in stop_messages.py)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, StringField, SubmitField, TextAreaField

from .base import BaseForm
from .door import OnceForm
from .fields import Radios
from .validators import MaxLength, Required


class GroupMessagesForm(BaseForm):
    """Which messages a group sends by itself. Invitations and one-off messages go only when an organiser
    presses send, so they have no switch."""

    sends_reminders = BooleanField(_l("Reminders"), description=_l(
        "The day before each meeting, to everyone invited."))
    sends_support_arranged = BooleanField(_l("\"Your support is arranged\""), description=_l(
        "When every kind of support a person asked for at a meeting is ticked as arranged, to that person."))
    sends_what_happened = BooleanField(_l("\"What happened\""), description=_l(
        "When you publish a meeting's notes, to everyone who took part: what was said, the decisions and "
        "the actions."))
    sends_action_updates = BooleanField(_l("\"You said, we did\" news"), description=_l(
        "When an action of the group changes, to the group's people: at most one message a week each."))
    submit = SubmitField(_l("Save"))


class SendInvitationsForm(OnceForm):
    """The one button that queues a meeting's invitations: its one-time token makes a double press send once."""


SUBJECT_NEEDED = _l("Write a subject for the message.")
SUBJECT_TOO_LONG = _l("Keep the subject to 150 characters or fewer.")
TEXT_NEEDED = _l("Write the message.")
TEXT_TOO_LONG = _l("Keep the message to 2,000 characters or fewer.")
WHO_NEEDED = _l("Choose who the message goes to.")


class OneOffForm(OnceForm):
    """A message an organiser writes to a meeting's people. The preview page carries what was typed, and the
    same one-time token, to the send: the token is used up when it is sent."""

    subject = StringField(_l("Subject"), validators=[Required(SUBJECT_NEEDED), MaxLength(150, SUBJECT_TOO_LONG)])
    text = TextAreaField(_l("The message"), description=_l("Use plain words. Each person's copy starts with their "
                                                          "name and ends with the meeting's date and time."),
                         validators=[Required(TEXT_NEEDED), MaxLength(2000, TEXT_TOO_LONG)], render_kw={"rows": 8})
    # The choices are set here, not from the database: everyone on the meeting's list, or those who took part.
    who = Radios(_l("Who it goes to"), message=WHO_NEEDED,
                 choices=[SelectChoice("everyone", _l("Everyone invited")),
                          SelectChoice("took_part", _l("Only those who took part"))],
                 default="everyone")
    submit = SubmitField(_l("See the message before it goes"))


class LettersPrintedForm(OnceForm):
    """"We have printed these": its one-time token makes a double press mark them once."""
