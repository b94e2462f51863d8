"""Email through Django's email backend: SMTP from EMAIL_URL, or a provider through
django-anymail (EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend + ANYMAIL settings).

Email has no provider-side idempotency that works for every backend, so it is sent at most
once: a send that may or may not have reached the server is never repeated by the outbox.
Every email carries `Message-ID: <message id@domain>`, the same on a manual retry, so a
mailbox that deduplicates by Message-ID shows one copy.
"""

from __future__ import annotations

import smtplib
import socket
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from vetrisys.notifications.channels.base import ChannelError, Reconcile
from vetrisys.notifications.models import Message


def message_id_header(message: Message) -> str:
    """The Message-ID of the outbox row: stable across attempts."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "vetrisys.local"
    return f"<{message.pk}@{domain}>"


class EmailSender:
    """Django's configured email backend."""

    reconcile = Reconcile.REVIEW

    def is_configured(self) -> bool:
        return bool(getattr(settings, "EMAIL_BACKEND", ""))

    def send(self, message: Message) -> str:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={
                "Message-ID": message_id_header(message),
                "X-VetriSys-Message": str(message.pk),
            },
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
            if isinstance(error, smtplib.SMTPConnectError) or 400 <= error.smtp_code < 500:
                raise ChannelError(text, retry=True) from error
            raise ChannelError(text) from error
        except (ConnectionRefusedError, socket.gaierror) as error:
            # Never connected: nothing was handed over.
            raise ChannelError(f"cannot connect: {error}", retry=True) from error
        except Exception as error:
            # A dropped connection or a timeout mid-conversation, or a provider's API error:
            # the server may have the message. At most once: a person decides.
            if _refused_by_provider(error):
                raise ChannelError(f"{type(error).__name__}: {error}") from error
            raise ChannelError(f"{type(error).__name__}: {error}", unknown=True) from error
        status = getattr(email, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) if status is not None else None
        return str(provider_id or message_id_header(message))[:120]

    def lookup(self, message: Message) -> str | None:
        return None


def _refused_by_provider(error: Exception) -> bool:
    """django-anymail's "the provider refused every recipient": surely not sent."""
    return type(error).__name__ == "AnymailRecipientsRefused"
