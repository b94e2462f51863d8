"""Local stand-ins for the providers, speaking their real protocols (not mocks of our code).

- `FakeSmtp`: an aiosmtpd server in a thread; Django's SMTP backend talks real SMTP to it.
- `FakeTwilio`: an HTTP server in a thread answering Twilio's Messages API (create, fetch,
  list) with HTTP basic auth; the Twilio SDK talks real HTTP to it through TWILIO_API_BASE.

Both can `hold` a delivery: the server keeps the message (as the provider would, once the
request arrived) but does not answer until `release()`, so a test can kill the worker that
is waiting for the answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Holdable:
    """A gate that delays the answer of a delivery until released."""

    def __init__(self) -> None:
        self.holding = False
        self.arrived = threading.Event()
        self._release = threading.Event()

    def hold(self) -> None:
        """From now on, keep every delivery waiting (after recording it)."""
        self.holding = True
        self.arrived.clear()
        self._release.clear()

    def release(self) -> None:
        self.holding = False
        self._release.set()

    def wait_if_held(self) -> None:
        if self.holding:
            self.arrived.set()
            self._release.wait(timeout=60)


# ---------------------------------------------------------------------------------- SMTP


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed: EmailMessage = message_from_bytes(self.data, policy=policy.default)  # type: ignore[assignment]
        return parsed


class _SmtpHandler:
    def __init__(self, owner: FakeSmtp) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        self.owner.received.append(
            ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content),
            )
        )
        await asyncio.get_running_loop().run_in_executor(None, self.owner.gate.wait_if_held)
        return "250 Message accepted for delivery"


class FakeSmtp:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), collecting what it receives."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.gate = _Holdable()
        self.port = free_port()
        self.controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> FakeSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.gate.release()
        self.controller.stop()


# ---------------------------------------------------------------------------------- Twilio


@dataclass
class TwilioRequest:
    """One request the fake Twilio received."""

    method: str
    path: str
    fields: dict[str, str]
    raw_body: bytes
    authorization: str


@dataclass
class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: POST creates, GET fetches one or lists."""

    account_sid: str = "AC" + "0" * 32
    auth_token: str = "test-auth-token"
    requests: list[TwilioRequest] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The answer to the next creations: (HTTP status, Twilio error code, text); empty = 201.
    refuse_with: tuple[int, int, str] | None = None
    gate: _Holdable = field(default_factory=_Holdable)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _twilio_handler(self))
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeTwilio:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.gate.release()
        self.server.shutdown()
        self.server.server_close()

    @property
    def creations(self) -> list[TwilioRequest]:
        """The POSTs that asked for a message."""
        return [r for r in self.requests if r.method == "POST"]

    @property
    def env(self) -> dict[str, str]:
        """Environment variables for a process that should send here."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_API_BASE": self.base_url,
            "TWILIO_SMS_FROM": "+15005550006",
            "TWILIO_WHATSAPP_FROM": "+14155238886",
        }


def _twilio_handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    prefix = f"/2010-04-01/Accounts/{fake.account_sid}/Messages"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorized(self) -> bool:
            expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
            if self.headers.get("Authorization", "") == f"Basic {expected}":
                return True
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return False

        def _record(self, raw: bytes) -> TwilioRequest:
            fields = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            request = TwilioRequest(
                method=self.command, path=self.path, fields=fields, raw_body=raw,
                authorization=self.headers.get("Authorization", ""),
            )  # fmt: skip
            with fake.lock:
                fake.requests.append(request)
            return request

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = self._record(raw)
            if not self._authorized():
                return
            if urlsplit(self.path).path != f"{prefix}.json":
                self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                return
            if fake.refuse_with is not None:
                status, code, text = fake.refuse_with
                self._answer(status, {"code": code, "message": text, "status": status})
                return
            now = dt.datetime.now(dt.UTC)
            sid = "SM" + uuid.uuid4().hex
            message = {
                "sid": sid,
                "account_sid": fake.account_sid,
                "to": request.fields.get("To", ""),
                "from": request.fields.get("From", ""),
                "body": request.fields.get("Body", ""),
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": "1",
                "api_version": "2010-04-01",
                "date_created": format_datetime(now),
                "date_updated": format_datetime(now),
                "date_sent": None,
                "error_code": None,
                "error_message": None,
                "price": None,
                "uri": f"{prefix}/{sid}.json",
            }
            with fake.lock:
                fake.messages[sid] = message
            # Twilio has the message now; the answer may still never reach the caller.
            fake.gate.wait_if_held()
            self._answer(201, message)

        def do_GET(self) -> None:
            self._record(b"")
            if not self._authorized():
                return
            url = urlsplit(self.path)
            if url.path == f"{prefix}.json":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with fake.lock:
                    found = [
                        m for m in reversed(fake.messages.values())
                        if m["to"] == query.get("To", m["to"])
                        and m["from"] == query.get("From", m["from"])
                    ]  # fmt: skip
                size = int(query.get("PageSize", "50"))
                self._answer(
                    200,
                    {
                        "messages": found[:size], "page": 0, "page_size": size, "start": 0,
                        "end": max(len(found[:size]) - 1, 0), "first_page_uri": self.path,
                        "next_page_uri": None, "previous_page_uri": None, "uri": self.path,
                    },
                )  # fmt: skip
                return
            sid = url.path.removeprefix(f"{prefix}/").removesuffix(".json")
            with fake.lock:
                message = fake.messages.get(sid)
            if message is None:
                self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            else:
                self._answer(200, message)

    return Handler
