from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationsConfig(AppConfig):
    name = "vetrisys.vaccinations"
    label = "vaccinations"
    verbose_name = _("Vaccinations")

    def ready(self) -> None:
        # Vaccinations appear in the patient's history and on the visit page.
        from vetrisys.vaccinations import registrations  # noqa: F401
