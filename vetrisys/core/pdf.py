"""PDF documents (prescriptions, certificates, receipts) rendered from HTML templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from vetrisys.core.errors import DomainError


class PdfUnavailable(DomainError):
    """WeasyPrint's system libraries (Pango) are missing on this machine (503)."""

    status = 503
    code = "pdf_unavailable"


def render_pdf(
    template_name: str, context: dict[str, Any], request: HttpRequest | None = None
) -> bytes:
    """Render a template to PDF bytes; static files resolve from the package, offline."""
    try:
        import weasyprint
    except OSError:  # the Python package is there, the system libraries are not
        raise PdfUnavailable(
            _("PDF printing is not available on this computer; use the printable page instead.")
        ) from None
    html = render_to_string(template_name, context, request=request)
    base_url = str(settings.PACKAGE_DIR / "static")
    document: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    return document


def pdf_response(
    template_name: str,
    context: dict[str, Any],
    *,
    filename: str,
    request: HttpRequest | None = None,
    inline: bool = True,
) -> HttpResponse:
    """An HTTP response with the rendered PDF."""
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
