"""The questions of registering at the door ("I'm new here"), step by step: which form asks each, which answers
it keeps, and which contact detail each way of being contacted needs. Shared by the door's pages
(door/register.py) and by what the tablet queued offline (participation/offline.py), so both ask and check the
same things."""
from forms.door import (
    AddressStep,
    ConsentStep,
    ContactStep,
    EmailStep,
    FormatStep,
    LettersAddressStep,
    NameStep,
    PhoneStep,
    RoleStep,
)

from ..models import ContactMethod

# The page the detail step shows, by way of being contacted (ContactMethod); a way missing here needs no
# detail, and its page is skipped. "Through someone I know" asks for the address their letters go to.
DETAIL_FOR = {ContactMethod.EMAIL.value: "email", ContactMethod.PHONE.value: "phone",
              ContactMethod.TEXT.value: "phone", ContactMethod.POST.value: "address",
              ContactMethod.THROUGH_SOMEONE.value: "letters_address"}
FORMS = {"name": NameStep, "role": RoleStep, "contact": ContactStep, "format": FormatStep, "consent": ConsentStep,
         "email": EmailStep, "phone": PhoneStep, "address": AddressStep, "letters_address": LettersAddressStep}
FIELDS = {"name": ("first_name", "last_name"), "role": ("role",), "contact": ("contact_method",),
          "format": ("information_format",), "consent": ("consent",), "email": ("email",), "phone": ("phone",),
          "address": ("address",), "letters_address": ("address",)}
