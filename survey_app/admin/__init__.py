"""Admin pages: staff accounts, rates, budgets, ledger codes, the import layout, people's records and the audit log."""
from flask import Blueprint

from . import audit_log, benefit_limits, budgets, import_layout, ledger_codes, people, population, rates, records, users

bp = Blueprint("admin", __name__)
users.routes.register(bp)
rates.routes.register(bp)
budgets.routes.register(bp)
ledger_codes.routes.register(bp)
import_layout.routes.register(bp)
people.routes.register(bp)
records.routes.register(bp)
audit_log.routes.register(bp)
benefit_limits.routes.register(bp)
population.routes.register(bp)
