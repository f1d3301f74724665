"""Organiser pages: one module per feature, all under the `organise` blueprint."""
from flask import Blueprint

from . import (
    actions,
    activities,
    agenda,
    attendance,
    benefits,
    charter_report,
    dashboard,
    duplicates,
    groups,
    invitations,
    letters,
    meetings,
    messages,
    notes,
    organisations,
    people,
    recognition,
    report_downloads,
    report_quotes,
    results,
    suggestions,
    support_plan,
)

bp = Blueprint("organise", __name__)
for module in (dashboard, duplicates, groups, invitations, meetings, organisations, people, recognition, support_plan,
               suggestions, results, actions, notes, agenda, activities, attendance, letters, messages,
               benefits, charter_report, report_downloads, report_quotes):
    module.routes.register(bp)
