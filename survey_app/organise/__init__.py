"""Organiser pages: one module per feature, all under the `organise` blueprint."""
from flask import Blueprint

from . import (
    actions,
    activities,
    agenda,
    attendance,
    benefits,
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
    results,
    suggestions,
    support_plan,
)

bp = Blueprint("organise", __name__)
for module in (dashboard, duplicates, groups, invitations, meetings, organisations, people, recognition, support_plan,
               suggestions, results, actions, notes, agenda, activities, attendance, letters, messages,
               benefits, report_downloads):
    module.routes.register(bp)
