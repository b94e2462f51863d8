from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vetrisys.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings

        from vetrisys.core import crypto

        # Configured keys are checked when the process starts (a bad key is an
        # ImproperlyConfigured now, not a failed save later); the embedded shape's key file
        # is made on first use instead.
        if not getattr(settings, "ENCRYPTION_KEY_FILE_CREATE", False):
            crypto.keyring()
