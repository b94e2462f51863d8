from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "vetrisys.patients"
    label = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        # The patient's own history sources (registrations, weights, attachments, notes).
        from vetrisys.patients import timeline_sources  # noqa: F401
