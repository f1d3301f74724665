"""Choices about paying a person that the person row itself holds (issue 17), kept apart from the models
that use them so that people.py can use them without importing those models."""
import enum

from flask_babel import lazy_gettext as _l


class RecognitionAgreement(enum.Enum):
    """What someone on benefits agreed to take, after the benefits conversation."""

    TAKE_PAYMENT = "take_payment"
    TAKE_LESS = "take_less"
    VOUCHER = "voucher"
    EXPENSES_ONLY = "expenses_only"
    CHARITY = "charity"
    DECLINE = "decline"

    @property
    def label(self):
        return {"take_payment": _l("Take the payment"), "take_less": _l("Take less than the usual payment"),
                "voucher": _l("Take a voucher instead"), "expenses_only": _l("Expenses only"),
                "charity": _l("Give the payment to a charity"),
                "decline": _l("Decline payment: thanks only")}[self.value]


class PaymentRoute(enum.Enum):
    SUPPLIER = "supplier"            # paid by accounts payable, with their supplier number
    PAYROLL = "payroll"              # an office holder with a standing role, with their payroll number
    EXPENSES_ONLY = "expenses_only"  # only expenses are paid

    @property
    def label(self):
        return {"supplier": _l("Accounts payable (supplier)"), "payroll": _l("Payroll (office holder)"),
                "expenses_only": _l("Expenses only")}[self.value]
