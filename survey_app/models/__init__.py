"""The data model: one module per area, all re-exported here."""
from .audit import AuditEvent
from .insight import Action, ActionStatus, ActionUpdate, MeetingNote, PersonVoice, SuggestionVote, Voice
from .meetings import Attendance, AttendanceStatus, Meeting, MeetingMode
from .participation import (
    AccessNeed,
    ChecklistResponse,
    FormToken,
    Invitation,
    NeedArrangement,
    NeedKind,
    Suggestion,
    SuggestionStatus,
)
from .people import ContactMethod, Group, InformationFormat, Organisation, OrganisationKind, Person, PersonRole
from .recognition import (
    Budget,
    ExpenseType,
    FinanceReturn,
    LineStatus,
    PaymentBasis,
    Rate,
    RecognitionKind,
    RecognitionLine,
    RecognitionPreference,
    ThanksType,
)
from .staff import LoginAttempt, RateHit, Role, SetupToken, StaffSession, User

__all__ = [
    "Action", "ActionStatus", "ActionUpdate", "MeetingNote", "PersonVoice", "SuggestionVote", "Voice",
    "Budget", "ExpenseType", "FinanceReturn", "LineStatus", "PaymentBasis", "Rate", "RecognitionKind",
    "RecognitionLine", "RecognitionPreference", "ThanksType",
    "AccessNeed", "ChecklistResponse", "FormToken", "Invitation", "NeedArrangement", "NeedKind", "Suggestion",
    "SuggestionStatus",
    "Attendance", "AttendanceStatus", "AuditEvent", "ContactMethod", "Group", "InformationFormat",
    "LoginAttempt", "RateHit", "Meeting", "MeetingMode", "Organisation", "OrganisationKind", "Person",
    "PersonRole", "Role", "SetupToken", "StaffSession", "User",
]
