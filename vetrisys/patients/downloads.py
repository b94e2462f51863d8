"""Handing a stored file to the browser safely."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse

from vetrisys.core.errors import NotFound
from vetrisys.patients import services
from vetrisys.patients.models import Attachment


def open_download(*, actor: Any, attachment: Attachment, inline: bool = False) -> FileResponse:
    """Stream a stored file: never rendered by the browser unless it is an image shown inline."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound("The file is missing from storage.") from None
    services.attachment_record_download(actor=actor, attachment=attachment)
    response = FileResponse(
        handle,
        as_attachment=not (inline and attachment.is_image),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
