from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    name = "vetrisys.pharmacy"
    label = "pharmacy"
    verbose_name = _("Pharmacy")

    def ready(self) -> None:
        # Prescriptions appear in the patient's history and on the visit page.
        from vetrisys.pharmacy import registrations  # noqa: F401
