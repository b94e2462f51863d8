from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "vetrisys.records"
    label = "records"
    verbose_name = _("Medical records")

    def ready(self) -> None:
        # Visits appear in the patient's history.
        from vetrisys.records import timeline_sources  # noqa: F401
