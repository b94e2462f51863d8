from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "vetrisys.notifications"
    label = "notifications"
    verbose_name = _("Messages and reminders")

    def ready(self) -> None:
        from vetrisys.clients import history
        from vetrisys.notifications.history import MessageHistorySource

        history.register(MessageHistorySource())
