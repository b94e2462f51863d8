"""The receipt email goes through a real SMTP conversation with a server started here."""

import socketserver
import threading
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.billing import services
from vetrisys.billing.emails import receipt_email
from vetrisys.core.errors import ValidationFailed


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greet, take one message, say goodbye."""

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        recipients: list[str] = []
        self._reply("220 localhost")
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go on")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = message_from_bytes(b"".join(data), policy=policy.default)
                self.server.received.append((recipients, message))  # type: ignore[attr-defined]
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RSET, NOOP
                self._reply("250 OK")


@pytest.fixture
def smtp(settings) -> Iterator[list[tuple[list[str], EmailMessage]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield server.received  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _issued(world, admin, owner, pet, consult):
    invoice = services.invoice_create(
        actor=admin, location=world.location_a, client=owner, patient=pet,
        lines=[services.LineSpec(product=consult)],
    )  # fmt: skip
    invoice = services.invoice_issue(actor=admin, invoice=invoice)
    services.payment_record(actor=admin, invoice=invoice, amount=Decimal("59.00"), method="cash")
    invoice.refresh_from_db()
    return invoice


@pytest.mark.django_db(transaction=True)
def test_the_receipt_reaches_the_client_through_smtp_with_the_pdf(
    smtp, world, admin, cashier_a, owner, pet, consult
):
    owner.email = "rosa@example.pe"
    owner.language = "en"
    owner.save()
    invoice = _issued(world, admin, owner, pet, consult)
    http = HttpClient()
    http.force_login(cashier_a)

    response = http.post(reverse("billing:receipt_email", args=[invoice.pk]))

    assert response.status_code == 302
    [(recipients, message)] = smtp
    assert recipients == ["rosa@example.pe"]
    assert message["To"] == "rosa@example.pe"
    assert message["Subject"] == f"Your receipt {invoice.full_number} from Huellitas"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"receipt-{invoice.full_number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF-")


def test_nothing_is_sent_to_a_client_without_an_email(world, admin, cashier_a, owner, pet, consult):
    owner.email = ""
    owner.save()
    invoice = _issued(world, admin, owner, pet, consult)

    with pytest.raises(ValidationFailed):
        receipt_email(actor=cashier_a, invoice=invoice)

    assert mail.outbox == []
