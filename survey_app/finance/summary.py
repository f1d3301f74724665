"""Money by month and by cost code for a tax year, as a chart and a table."""
from datetime import date, datetime

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import extract, func, select

from ..access.roles import FINANCE, roles_required
from ..models import LineStatus, RecognitionLine
from ..models.base import LONDON
from ..money import recognition as rec
from ..web.charts import bar_chart
from ..web.extensions import db
from ..web.formatting import pence
from ..web.pages import Routes, requested_year

routes = Routes()
COUNTED = (LineStatus.APPROVED, LineStatus.IN_RETURN, LineStatus.PAID)


@routes.route("/summary")
@roles_required(*FINANCE)
def summary():
    this_year = rec.tax_year_start(datetime.now(LONDON).date())
    year = requested_year() or this_year.year
    start, end = date(year, 4, 6), date(year + 1, 4, 5)
    counted = (RecognitionLine.kind.in_(rec.MONEY_KINDS), RecognitionLine.status.in_(COUNTED),
               RecognitionLine.activity_on >= start, RecognitionLine.activity_on <= end)
    y, m = extract("year", RecognitionLine.activity_on), extract("month", RecognitionLine.activity_on)
    months = db.session.execute(select(y, m, func.sum(RecognitionLine.amount_pence)).where(*counted)
                                .group_by(y, m).order_by(y, m)).all()
    codes = db.session.execute(select(RecognitionLine.cost_code, func.sum(RecognitionLine.amount_pence))
                               .where(*counted).group_by(RecognitionLine.cost_code)
                               .order_by(RecognitionLine.cost_code)).all()
    month_rows = [(format_date(date(int(yy), int(mm), 1), "MMMM yyyy"), int(total or 0)) for yy, mm, total in months]
    code_rows = [(code or _("No cost code"), int(total or 0)) for code, total in codes]
    return render_template("finance/summary.html", title=_("Money by month and cost code"), start=start, end=end,
                           year=year, month_rows=month_rows, code_rows=code_rows,
                           month_chart=bar_chart(month_rows, _("Approved and paid money by month"), pence),
                           code_chart=bar_chart(code_rows, _("Approved and paid money by cost code"), pence),
                           total=sum(t for _, t in month_rows))
