"""SMS and WhatsApp through Twilio's Messages API and its Python SDK.

TWILIO_API_BASE (default https://api.twilio.com) replaces the SDK's API host: a regional
gateway, a proxy, or the local server the tests run. Twilio's Messages API takes no
idempotency key, so a claim left unfinished by a dead worker is settled by asking Twilio for
the messages to that number from our sender and matching the text (see `lookup`); only when
Twilio has none is the message sent again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client as TwilioClient

from vetrisys.notifications.channels.base import ChannelError, Reconcile
from vetrisys.notifications.models import Message

TWILIO_HOST = "https://api.twilio.com"
# Seconds to wait for Twilio; the outbox waits far longer before it settles a stale claim.
TIMEOUT_SECONDS = 30
# How far before the claim a message found at Twilio may have been created (clock skew).
LOOKUP_SLACK = dt.timedelta(minutes=5)


class _BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The SDK's HTTP client, sending to TWILIO_API_BASE instead of api.twilio.com."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_HOST):
            url = self.base_url + url[len(TWILIO_HOST) :]
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> TwilioClient:
    """An SDK client from the settings."""
    return TwilioClient(
        username=settings.TWILIO_ACCOUNT_SID,
        password=settings.TWILIO_AUTH_TOKEN,
        account_sid=settings.TWILIO_ACCOUNT_SID,
        http_client=_BaseUrlHttpClient(
            settings.TWILIO_API_BASE or TWILIO_HOST, timeout=TIMEOUT_SECONDS
        ),
    )


class _TwilioSender:
    """Twilio's Messages API for one kind of address."""

    reconcile = Reconcile.LOOKUP
    from_setting = ""
    prefix = ""

    def _from(self) -> str:
        value: str = getattr(settings, self.from_setting, "")
        return f"{self.prefix}{value}"

    def _to(self, message: Message) -> str:
        return f"{self.prefix}{message.to}"

    def is_configured(self) -> bool:
        return bool(
            settings.TWILIO_ACCOUNT_SID
            and settings.TWILIO_AUTH_TOKEN
            and getattr(settings, self.from_setting, "")
        )

    def send(self, message: Message) -> str:
        if not self.is_configured():
            raise ChannelError(f"{self.from_setting} and the Twilio account are not set")
        try:
            created = twilio_client().messages.create(
                to=self._to(message), from_=self._from(), body=message.body
            )
        except TwilioRestException as error:
            detail = str(error.msg).removeprefix("Unable to create record: ")
            text = f"Twilio {error.status} ({error.code}): {detail}"
            if error.status == 429:
                raise ChannelError(text, retry=True) from error
            if 400 <= error.status < 500:
                # Refused (a bad number, an unverified sender): Twilio made no message.
                raise ChannelError(text) from error
            raise ChannelError(text, unknown=True) from error
        except requests.exceptions.ConnectionError as error:
            if isinstance(error, requests.exceptions.ConnectTimeout) or _never_connected(error):
                raise ChannelError(f"cannot connect to Twilio: {error}", retry=True) from error
            raise ChannelError(f"Twilio connection lost: {error}", unknown=True) from error
        except (requests.exceptions.RequestException, TwilioException) as error:
            raise ChannelError(f"{type(error).__name__}: {error}", unknown=True) from error
        if created.status in ("failed", "undelivered"):
            raise ChannelError(
                f"Twilio {created.status} ({created.error_code}): {created.error_message}"
            )
        return str(created.sid or "")

    def lookup(self, message: Message) -> str | None:
        """Twilio's sid of a message to the same number from our sender with the same text,
        created since just before the claim; None when Twilio has none."""
        since = (message.claimed_at or message.scheduled_for) - LOOKUP_SLACK
        candidates = twilio_client().messages.list(
            to=self._to(message), from_=self._from(), limit=50
        )
        for candidate in candidates:
            created_at = candidate.date_created
            if candidate.body == message.body and (created_at is None or created_at >= since):
                return str(candidate.sid)
        return None


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    text = repr(error)
    return "NewConnectionError" in text or "Connection refused" in text


class SmsSender(_TwilioSender):
    """SMS from TWILIO_SMS_FROM."""

    from_setting = "TWILIO_SMS_FROM"


class WhatsAppSender(_TwilioSender):
    """WhatsApp from TWILIO_WHATSAPP_FROM (addresses as whatsapp:+E.164)."""

    from_setting = "TWILIO_WHATSAPP_FROM"
    prefix = "whatsapp:"
