from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vetrisys.core"
    label = "core"
