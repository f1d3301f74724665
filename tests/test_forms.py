"""Forms validated directly, asserting the exact message a person sees."""
import pytest
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from forms.admin import NewStaffForm
from forms.base import clean_text
from forms.organise import GroupForm, MeetingForm, OrganisationForm, PersonForm, enum_choices
from survey_app.models import (
    ContactMethod,
    InformationFormat,
    MeetingMode,
    OrganisationKind,
    PersonRole,
    RecognitionPreference,
    Role,
)


@pytest.fixture
def form_context(app):
    with app.test_request_context(method="POST"):
        app.config["WTF_CSRF_ENABLED"] = False  # these tests validate fields; CSRF has its own tests
        yield
        app.config["WTF_CSRF_ENABLED"] = True


def person_form(**data):
    data.setdefault("recognition_preference", "paid")
    form = PersonForm(formdata=MultiDict(data))
    form.role.choices = enum_choices(PersonRole)
    form.contact_method.choices = enum_choices(ContactMethod)
    form.information_format.choices = enum_choices(InformationFormat)
    form.recognition_preference.choices = enum_choices(RecognitionPreference)
    form.language.choices = [SelectChoice("en", "English")]
    form.organisation.choices = [SelectChoice("", "None")]
    return form


def errors(form):
    form.validate()
    return {name: errs[0] for name, errs in form.errors.items()}


def test_person_form_says_what_is_missing(form_context):
    assert errors(person_form(recognition_preference="")) == {
        "first_name": "Enter their first name.",
        "last_name": "Enter their last name.",
        "role": "Choose who they are in the group.",
        "contact_method": "Choose how they like to be contacted.",
        "information_format": "Choose how they like to get information.",
        "recognition_preference": "Choose how they would like to be thanked.",
    }


def test_person_form_needs_the_detail_for_the_chosen_contact_method(form_context):
    base = dict(first_name="Ana", last_name="Popescu", role="carer", information_format="easy_read", language="en")
    assert errors(person_form(**base, contact_method="email")) == {
        "email": "Enter an email address, because they like to be contacted by email."}
    assert errors(person_form(**base, contact_method="text")) == {
        "phone": "Enter a phone number, because they like to be contacted by phone or text."}
    assert errors(person_form(**base, contact_method="post")) == {
        "address": "Enter a postal address, because they like to be contacted by post."}
    assert errors(person_form(**base, contact_method="phone", phone="not a phone")) == {
        "phone": "Enter a phone number using numbers only, like 01928 123456."}
    assert errors(person_form(**base, contact_method="email", email="ana.example.org")) == {
        "email": "Enter an email address in the right format, like name@example.org."}


def test_a_made_up_choice_gets_the_same_plain_message(form_context):
    form = person_form(first_name="A", last_name="B", role="emperor", contact_method="email", email="a@b.example",
                       information_format="standard")
    assert errors(form) == {"role": "Choose who they are in the group."}


def test_whitespace_only_counts_as_empty_and_text_is_trimmed(form_context):
    form = person_form(first_name="   ", last_name="  Nowak  ", role="carer", contact_method="phone",
                       phone=" 01928 123456 ", information_format="standard")
    assert errors(form) == {"first_name": "Enter their first name."}
    assert form.last_name.data == "Nowak"
    assert form.phone.data == "01928 123456"


def test_long_text_is_refused_with_the_limit(form_context):
    form = person_form(first_name="x" * 101, last_name="B", role="carer", contact_method="phone",
                       phone="01928 123456", information_format="standard")
    assert errors(form) == {"first_name": "First names must be 100 characters or fewer."}


def test_control_characters_are_removed_but_letters_and_emoji_kept():
    assert clean_text(" Zoë\x00 Łukasz 🙂\r\nعربى\x07 ") == "Zoë Łukasz 🙂\nعربى"


def meeting_form(**data):
    form = MeetingForm(formdata=MultiDict(data))
    form.group.choices = [SelectChoice("", "Choose"), SelectChoice("1", "Board")]
    form.mode.choices = enum_choices(MeetingMode)
    return form


def test_meeting_form_messages(form_context):
    assert errors(meeting_form()) == {
        "group": "Choose the group this meeting is for.",
        "title": "Enter a title for the meeting.",
        "date": "Enter the date of the meeting.",
        "start_time": "Enter the time the meeting starts.",
        "end_time": "Enter the time the meeting ends.",
        "mode": "Choose how people will take part.",
    }


def test_meeting_form_checks_dates_times_and_venue(form_context):
    form = meeting_form(group="1", title="T", date="2027-02-31", start_time="14:00", end_time="13:00",
                        mode="both")
    assert errors(form) == {
        "date": "Enter a real date for the meeting, like 27 March 2027.",
        "end_time": "The end time must be after the start time.",
        "venue_name": "Enter the name of the venue.",
        "online_details": "Enter how people join online.",
    }
    form = meeting_form(group="1", title="T", date="2027-03-27", start_time="25:61", end_time="12:00",
                        mode="online", online_details="Teams")
    assert errors(form) == {"start_time": "Enter a real start time, like 10:30."}


def test_meeting_times_are_london_local_and_stored_in_utc(form_context):
    summer = meeting_form(group="1", title="T", date="2027-07-01", start_time="10:00", end_time="12:00",
                          mode="online", online_details="Teams")
    assert summer.validate()
    assert summer.starts_at().isoformat() == "2027-07-01T09:00:00+00:00"  # BST
    winter = meeting_form(group="1", title="T", date="2027-01-15", start_time="10:00", end_time="12:00",
                          mode="online", online_details="Teams")
    assert winter.validate()
    assert winter.starts_at().isoformat() == "2027-01-15T10:00:00+00:00"  # GMT


def test_group_and_organisation_forms(form_context):
    group = GroupForm(formdata=MultiDict({}))
    group.organisation.choices = [SelectChoice("", "None")]
    assert errors(group) == {"name": "Enter the name of the group."}
    org = OrganisationForm(formdata=MultiDict({"name": "Halton Speak Out"}))
    org.kind.choices = enum_choices(OrganisationKind)
    assert errors(org) == {"kind": "Choose what kind of organisation it is."}


def test_new_staff_form_checks_passwords(form_context):
    form = NewStaffForm(formdata=MultiDict({"name": "Sam", "email": "sam@halton.example", "role": "finance",
                                            "password": "seven77", "confirm": "seven77"}))
    form.role.choices = enum_choices(Role)
    assert errors(form) == {"password": "Passwords must be at least 8 characters."}


def test_clean_text_drops_exactly_the_control_characters_but_tab_and_newline():
    import sys
    import unicodedata

    from forms.base import clean_text
    everything = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    kept = clean_text("a" + everything + "z")
    expected = "a" + "".join(ch for ch in everything if ch in "\t\n" or unicodedata.category(ch) != "Cc") + "z"
    assert kept == expected.replace("\r", "")
