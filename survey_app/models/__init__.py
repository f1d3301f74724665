"""The data model: one module per area, all re-exported here."""
from .audit import AuditEvent
from .benefits import BenefitKind, BenefitLimit, LimitPeriod, PersonBenefit, RecognitionAgreement
from .equality import EqualityCount, PopulationFigure
from .insight import Action, ActionStatus, ActionUpdate, MeetingNote, PersonVoice, ReportQuote, SuggestionVote, Voice
from .meetings import (
    AgendaItem,
    AgendaSource,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingKind,
    MeetingMode,
    TakingPart,
)
from .messages import Message, MessageChannel, MessageKind, MessageOptOut, MessageStatus
from .offline import OfflineSubmission
from .participation import (
    AccessNeed,
    ChecklistChannel,
    ChecklistResponse,
    FormToken,
    Invitation,
    NeedArrangement,
    NeedKind,
    Suggestion,
    SuggestionStatus,
)
from .payments import ImportLayout, LedgerCode, PaymentRoute
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
    "Action", "ActionStatus", "ActionUpdate", "MeetingNote", "PersonVoice", "ReportQuote", "SuggestionVote", "Voice",
    "Budget", "ExpenseType", "FinanceReturn", "LineStatus", "PaymentBasis", "Rate", "RecognitionKind",
    "RecognitionLine", "RecognitionPreference", "ThanksType",
    "AccessNeed", "ChecklistChannel", "ChecklistResponse", "FormToken", "Invitation", "NeedArrangement", "NeedKind",
    "Suggestion", "SuggestionStatus",
    "AgendaItem", "AgendaSource", "Attendance", "AttendanceStatus", "Decision", "MeetingKind", "TakingPart",
    "Message", "MessageChannel", "MessageKind", "MessageOptOut", "MessageStatus",
    "BenefitKind", "BenefitLimit", "LimitPeriod", "PersonBenefit", "RecognitionAgreement",
    "ImportLayout", "LedgerCode", "PaymentRoute", "EqualityCount", "PopulationFigure",
    "OfflineSubmission", "AuditEvent", "ContactMethod", "Group", "InformationFormat",
    "LoginAttempt", "RateHit", "Meeting", "MeetingMode", "Organisation", "OrganisationKind", "Person",
    "PersonRole", "Role", "SetupToken", "StaffSession", "User",
]
