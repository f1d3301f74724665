"""How finance pays (issue 17): a person's payment route, each kind of recognition's ledger and VAT codes,
and the layout of the import file finance loads into their own system."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .money_choices import PaymentRoute  # noqa: F401 (re-exported)
from .recognition import RecognitionKind
from .staff import User


class LedgerCode(db.Model):
    """Each kind of recognition's ledger code and VAT code (money lines carry both)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RecognitionKind] = mapped_column(enum_column(RecognitionKind), unique=True)
    ledger_code: Mapped[str] = mapped_column(String(40), default="")
    vat_code: Mapped[str] = mapped_column(String(20), default="OS")  # "outside scope" for individuals
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportLayout(db.Model):
    """The layout of the import file: which columns, in what order, with which headings, fixed values, the
    date format, CSV or a sheet. `columns` is a list of {"heading": str, "source": str} where source is a
    field name (see money/import_file.py FIELDS) or "fixed:<value>"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    file_format: Mapped[str] = mapped_column(String(10), default="csv")  # csv | xlsx
    date_format: Mapped[str] = mapped_column(String(40), default="%d/%m/%Y")
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    updated_by: Mapped[User | None] = relationship()
