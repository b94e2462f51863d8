"""The iCalendar feed address: no session, the private token is the credential."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from vetrisys.core import timeutil
from vetrisys.scheduling import ical
from vetrisys.scheduling.models import CalendarFeed


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The vet's appointments as text/calendar; 404 for an unknown or rotated token."""
    feed = ical.feed_by_token(token)
    if feed is None:
        raise Http404
    now = timeutil.now()
    body = ical.render(
        ical.feed_appointments(feed, now=now),
        host=request.get_host().split(":")[0] or "vetrisys",
        name=f"VetriSys - {feed.user.display_name}",
        now=now,
    )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
