from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "vetrisys.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from vetrisys.billing import history

        history.register_timeline_source()
