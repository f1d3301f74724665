"""Organiser forms: groups, meetings, people and organisations. Choices from the database are set
by the view before validation."""
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from .base import BaseForm
from .door import OnceForm, inactive_years
from .fields import DateEntry, Radios, TimeEntry
from .validators import EmailAddress, MaxLength, OneChoice, PhoneNumber, Required

LONDON = ZoneInfo("Europe/London")
NO_ORGANISATION = SelectChoice("", _l("None"))


def enum_choices(enum_cls) -> list[SelectChoice]:
    """One choice per member of an enum whose members carry a `label`."""
    return [SelectChoice(member.value, member.label) for member in enum_cls]


class OrganisationForm(BaseForm):
    name = StringField(_l("Name of the organisation"), validators=[
        Required(_l("Enter the name of the organisation.")),
        MaxLength(200, _l("The name must be 200 characters or fewer."))])
    kind = Radios(_l("What kind of organisation is it?"), message=_l("Choose what kind of organisation it is."))
    submit = SubmitField(_l("Save organisation"))


class GroupForm(BaseForm):
    name = StringField(_l("Name of the group"), description=_l("For example, Learning Disability Partnership Board."),
                       validators=[Required(_l("Enter the name of the group.")),
                                   MaxLength(200, _l("The name must be 200 characters or fewer."))])
    description = TextAreaField(_l("What the group is for (optional)"), validators=[
        MaxLength(5000, _l("The description must be 5,000 characters or fewer."))])
    organisation = SelectField(_l("Lead organisation (optional)"), choices=[], validate_choice=False)
    # Shown to invited people on their personal-link pages: "Need help? Ask ...".
    contact_name = StringField(_l("Who people can ask for help (optional)"),
                               description=_l("Invited people see this name on their personal link pages."),
                               validators=[MaxLength(200, _l("The name must be 200 characters or fewer."))],
                               render_kw={"autocomplete": "off", "spellcheck": "false"})
    contact_phone = TelField(_l("Their phone number (optional)"), validators=[
        PhoneNumber(_l("Enter a phone number using numbers only, like 01928 123456."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"})
    contact_email = EmailField(_l("Their email address (optional)"), validators=[
        EmailAddress(_l("Enter an email address in the right format, like name@example.org.")),
        MaxLength(254, _l("Email addresses must be 254 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "email"})
    submit = SubmitField(_l("Save group"))


class MeetingForm(BaseForm):
    group = SelectField(_l("Group"), choices=[], validators=[OneChoice(_l("Choose the group this meeting is for."))],
                        validate_choice=False)
    title = StringField(_l("Title"), validators=[
        Required(_l("Enter a title for the meeting.")),
        MaxLength(200, _l("The title must be 200 characters or fewer."))])
    purpose = TextAreaField(_l("What is the meeting for?"), description=_l("Use plain words. People will see this."),
                            validators=[MaxLength(5000, _l("The purpose must be 5,000 characters or fewer."))])
    purpose_easy = TextAreaField(_l("Purpose in easy read (optional)"),
                                 description=_l("Short sentences and everyday words. People who asked for easy "
                                                "read see this, and so does the door tablet."),
                                 validators=[MaxLength(5000, _l("The easy read purpose must be 5,000 characters "
                                                                "or fewer."))])
    date = DateEntry(_l("Date"), description=_l("For example, 27 March 2027."), validators=[
        Required(_l("Enter the date of the meeting."))],
        invalid_message=_l("Enter a real date for the meeting, like 27 March 2027."))
    start_time = TimeEntry(_l("Start time"), validators=[Required(_l("Enter the time the meeting starts."))],
                           invalid_message=_l("Enter a real start time, like 10:30."))
    end_time = TimeEntry(_l("End time"), validators=[Required(_l("Enter the time the meeting ends."))],
                         invalid_message=_l("Enter a real end time, like 12:30."))
    mode = Radios(_l("How will people take part?"), message=_l("Choose how people will take part."))
    venue_name = StringField(_l("Venue name"), validators=[
        MaxLength(200, _l("The venue name must be 200 characters or fewer."))])
    venue_address = TextAreaField(_l("Venue address"), validators=[
        MaxLength(1000, _l("The address must be 1,000 characters or fewer."))],
        render_kw={"rows": 3})
    step_free = BooleanField(_l("Step-free access"))
    hearing_loop = BooleanField(_l("Hearing loop"))
    accessible_toilet = BooleanField(_l("Accessible toilet"))
    parking = BooleanField(_l("Parking"))
    quiet_room = BooleanField(_l("Quiet room"))
    public_transport = BooleanField(_l("Near public transport"))
    access_notes = TextAreaField(_l("Other access details (optional)"),
                                 description=_l("For example, which entrance to use or where the lift is."),
                                 validators=[MaxLength(2000, _l("Access details must be 2,000 characters or fewer."))])
    online_details = TextAreaField(_l("How to join online"),
                                   description=_l("The link and any phone number or code people need."),
                                   validators=[MaxLength(2000,
                                                         _l("Joining details must be 2,000 characters or fewer."))])
    cost_code = StringField(_l("Cost code (optional)"), validators=[
        MaxLength(40, _l("The cost code must be 40 characters or fewer."))],
        render_kw={"spellcheck": "false"})
    submit = SubmitField(_l("Save meeting"))

    VENUE_FIELDS = ("step_free", "hearing_loop", "accessible_toilet", "parking", "quiet_room", "public_transport")

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end time must be after the start time."))

    def validate_venue_name(self, field):
        if self.mode.data in ("in_person", "both") and not field.data:
            raise ValidationError(_l("Enter the name of the venue."))

    def validate_online_details(self, field):
        if self.mode.data in ("online", "both") and not field.data:
            raise ValidationError(_l("Enter how people join online."))

    def starts_at(self) -> datetime:
        return _utc(self.date.data, self.start_time.data)

    def ends_at(self) -> datetime:
        return _utc(self.date.data, self.end_time.data)

    def load_times(self, starts_at: datetime, ends_at: datetime) -> None:
        start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
        self.date.data, self.start_time.data, self.end_time.data = start.date(), start.time(), end.time()


def _utc(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


class PersonForm(BaseForm):
    first_name = StringField(_l("First name"), validators=[
        Required(_l("Enter their first name.")), MaxLength(100, _l("First names must be 100 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    last_name = StringField(_l("Last name"), validators=[
        Required(_l("Enter their last name.")), MaxLength(100, _l("Last names must be 100 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    preferred_name = StringField(_l("What they like to be called (optional)"), validators=[
        MaxLength(100, _l("Preferred names must be 100 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = Radios(_l("Who are they in the group?"), message=_l("Choose who they are in the group."))
    organisation = SelectField(_l("Organisation (optional)"), choices=[], validate_choice=False)
    contact_method = Radios(_l("How do they like to be contacted?"),
                            message=_l("Choose how they like to be contacted."))
    information_format = Radios(_l("How do they like to get information?"),
                                message=_l("Choose how they like to get information."))
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    email = EmailField(_l("Email address (optional)"), validators=[
        EmailAddress(_l("Enter an email address in the right format, like name@example.org.")),
        MaxLength(254, _l("Email addresses must be 254 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "email"})
    phone = TelField(_l("Phone number (optional)"), validators=[
        PhoneNumber(_l("Enter a phone number using numbers only, like 01928 123456."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"})
    address = TextAreaField(_l("Postal address (optional)"), validators=[
        MaxLength(1000, _l("The address must be 1,000 characters or fewer."))],
        render_kw={"rows": 3, "autocomplete": "off"})
    contact_through = StringField(_l("Who passes messages on (optional)"),
                                  description=_l("For \"Through someone I know\": the name of the person their "
                                                 "letters go to. Put that person's address in Postal address."),
                                  validators=[MaxLength(200, _l("The name must be 200 characters or fewer."))],
                                  render_kw={"autocomplete": "off", "spellcheck": "false"})
    recognition_preference = Radios(_l("How would they like to be thanked for their time?"),
                                    message=_l("Choose how they would like to be thanked."))
    benefits_check = BooleanField(_l("They get benefits: talk to them before paying them"),
                                  description=_l("Payments and vouchers wait until someone has talked it through "
                                                 "with them and recorded it on their page."))
    voices = SelectMultipleField(_l("Which of these voices do they bring? (optional, their choice)"),
                                 choices=[], validate_choice=False)
    is_champion = BooleanField(_l("Co-production Champion for their organisation"))
    consent = BooleanField(_l("They agree to us keeping these details"),
                           description=LazyString(lambda: ngettext(
                               "We keep their details to invite them to meetings and to thank them for their "
                               "time. We delete them %(num)d year after their last meeting.",
                               "We keep their details to invite them to meetings and to thank them for their "
                               "time. We delete them %(num)d years after their last meeting.", inactive_years())))
    submit = SubmitField(_l("Save person"))

    def validate_email(self, field):
        if self.contact_method.data == "email" and not field.data:
            raise ValidationError(_l("Enter an email address, because they like to be contacted by email."))

    def validate_phone(self, field):
        if self.contact_method.data in ("phone", "text") and not field.data:
            raise ValidationError(_l("Enter a phone number, because they like to be contacted by phone or text."))

    def validate_address(self, field):
        if self.contact_method.data == "post" and not field.data:
            raise ValidationError(_l("Enter a postal address, because they like to be contacted by post."))
        if self.contact_method.data == "through_someone" and not field.data:
            raise ValidationError(_l("Enter the postal address to send their letters to, because messages reach "
                                     "them through someone they know."))


class SearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name"), validators=[MaxLength(100, _l("Search for 100 characters or fewer."))],
                    render_kw={"autocomplete": "off", "spellcheck": "false", "type": "search"})


class MessageButtonForm(OnceForm):
    """"Send these again" on a person's page and "Try again" on the dashboard: only the tokens, so a
    double press does it once."""


class MergeForm(BaseForm):
    submit = SubmitField(_l("Merge them"))
