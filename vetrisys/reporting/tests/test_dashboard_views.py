"""The dashboard screens: who may open which, the figures they show against sums made here,
charts fed by json_script (no inline script), and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.accounts.middleware import LOCATION_SESSION_KEY
from vetrisys.billing.models import Invoice
from vetrisys.billing.services import LineSpec
from vetrisys.billing.templatetags.billing_tags import money
from vetrisys.core import timeutil
from vetrisys.reporting.tests.conftest import pay, sell
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment


def _signed_in(client: HttpClient, user: Any, location: Any = None) -> HttpClient:
    client.force_login(user)
    if location is not None:
        session = client.session
        session[LOCATION_SESSION_KEY] = str(location.pk)
        session.save()
    return client


def _now_at(location: Any, hours_ago: int = 0) -> dt.datetime:
    """An instant of today at the location (early enough not to fall into tomorrow)."""
    start, _end = timeutil.local_day_bounds(
        timeutil.today_in(location.time_zone), location.time_zone
    )
    return max(start, timeutil.now() - dt.timedelta(hours=hours_ago))


@pytest.fixture
def today_sales(world, admin, vet_a, vet_b, owner, pet, consult, amoxicillin) -> list[Invoice]:
    """Two sales at A and one at B today; A has a patient checked in."""
    a, b = world.location_a, world.location_b
    two = [LineSpec(product=consult, quantity=1), LineSpec(product=amoxicillin, quantity=2)]
    sold = [
        sell(admin, a, owner, [LineSpec(product=consult, quantity=1)], issued_at=_now_at(a)),
        sell(admin, a, owner, two, issued_at=_now_at(a)),
        sell(admin, b, owner, two, issued_at=_now_at(b)),
    ]
    pay(admin, sold[0], "59.00", _now_at(a))
    kind = AppointmentTypeFactory(organization=world.org, duration_minutes=15)
    make_appointment(
        location=a, patient=pet, vet=vet_a, appointment_type=kind,
        starts_at=_now_at(a), status="checked_in",
    )  # fmt: skip
    make_appointment(
        location=b, patient=pet, vet=vet_b, appointment_type=kind,
        starts_at=_now_at(b), status="scheduled",
    )  # fmt: skip
    return sold


def _kpi(page: str, key: str) -> str:
    found = re.search(rf'data-kpi="{key}".*?data-kpi-value>([^<]*)<', page, re.S)
    assert found, key
    return found.group(1).strip()


def _scripts_are_external_or_data(page: str) -> None:
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_manager_sees_the_location_dashboard(client, world, manager_a, today_sales):
    page = _signed_in(client, manager_a, world.location_a).get(reverse("reporting:index"))
    assert page.status_code == 200
    html = page.content.decode()
    a_today = sum((i.total for i in today_sales[:2]), Decimal("0.00"))
    assert _kpi(html, "invoiced_today") == money(a_today, "PEN")
    assert _kpi(html, "appointments_today") == "1"
    assert _kpi(html, "waiting_now") == "1"
    assert _kpi(html, "outstanding") == money(a_today - Decimal("59.00"), "PEN")
    assert 'id="revenue-chart"' in html
    assert 'id="status-chart"' in html
    chart = json.loads(re.search(r'id="revenue-chart-data"[^>]*>(.*?)</script>', html, re.S)[1])
    day = timeutil.today_in(world.location_a.time_zone).day
    assert chart["series"][0]["data"][day - 1] == str(a_today)
    _scripts_are_external_or_data(html)
    # Chain views are hidden from a manager of one location.
    assert reverse("reporting:chain") not in html
    assert reverse("reporting:comparison") not in html


def test_manager_cannot_open_chain_views(client, world, manager_a):
    _signed_in(client, manager_a, world.location_a)
    assert client.get(reverse("reporting:chain")).status_code == 403
    assert client.get(reverse("reporting:comparison")).status_code == 403


@pytest.mark.parametrize("name", ["vet_a", "receptionist_a", "vet_b"])
def test_staff_without_reports_view_are_refused(client, world, people, name):
    _signed_in(client, people[name])
    assert client.get(reverse("reporting:index")).status_code == 403
    assert client.get(reverse("reporting:chain")).status_code == 403
    assert client.get(reverse("reporting:comparison")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("reporting:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_admin_sees_the_chain_and_the_comparison(client, world, admin, today_sales):
    _signed_in(client, admin, world.location_a)
    html = client.get(reverse("reporting:chain")).content.decode()
    chain_today = sum((i.total for i in today_sales), Decimal("0.00"))
    assert _kpi(html, "invoiced_today") == money(chain_today, "PEN")
    assert _kpi(html, "appointments_today") == "2"
    assert reverse("reporting:comparison") in html
    _scripts_are_external_or_data(html)

    html = client.get(reverse("reporting:comparison")).content.decode()
    rows = dict(
        re.findall(
            r'<tr data-location="([^"]+)"[^>]*>.*?data-col="invoiced_today">([^<]*)<', html, re.S
        )
    )
    assert rows[str(world.location_a.pk)] == money(
        today_sales[0].total + today_sales[1].total, "PEN"
    )
    assert rows[str(world.location_b.pk)] == money(today_sales[2].total, "PEN")
    assert rows["chain"] == money(chain_today, "PEN")
    assert 'id="sites-chart"' in html
    _scripts_are_external_or_data(html)


def test_admin_without_a_current_location_lands_on_the_chain(client, world, admin):
    from vetrisys.accounts.models import Location

    Location.objects.filter(organization=world.org).update(is_active=False)
    response = _signed_in(client, admin).get(reverse("reporting:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:chain")


def test_outsider_sees_only_their_own_organization(client, world, outsider, today_sales):
    # Even naming location A in the session, the switcher keeps them at their own.
    html = _signed_in(client, outsider, world.location_a).get(reverse("reporting:index"))
    assert html.status_code == 200
    assert "Trujillo" in html.content.decode()
    assert "Miraflores" not in html.content.decode()
    assert _kpi(html.content.decode(), "invoiced_today") == money(Decimal("0.00"), "PEN")
    comparison = client.get(reverse("reporting:comparison")).content.decode()
    assert str(world.location_a.pk) not in comparison
    assert str(world.location_b.pk) not in comparison


def test_home_page_card_for_reports_view_only(client, world, manager_a, vet_a, today_sales):
    html = _signed_in(client, manager_a, world.location_a).get(reverse("dashboard"))
    page = html.content.decode()
    assert 'data-card="reports"' in page
    assert money(today_sales[0].total + today_sales[1].total, "PEN") in page
    client.logout()
    page = _signed_in(client, vet_a, world.location_a).get(reverse("dashboard")).content.decode()
    assert 'data-card="reports"' not in page


def test_dashboards_answer_in_a_fixed_number_of_queries(
    client, world, admin, manager_a, today_sales, django_assert_num_queries
):
    _signed_in(client, manager_a, world.location_a)
    client.get(reverse("reporting:index"))
    # The page's own (session, user, switcher, MFA, capabilities) and the figures' (14 for
    # a location, 18 for the chain in two zones, 28 for the comparison, see test_kpis).
    with django_assert_num_queries(LOCATION_PAGE_QUERIES):
        assert client.get(reverse("reporting:index")).status_code == 200
    client.logout()
    _signed_in(client, admin, world.location_a)
    with django_assert_num_queries(CHAIN_PAGE_QUERIES):
        assert client.get(reverse("reporting:chain")).status_code == 200
    with django_assert_num_queries(COMPARISON_PAGE_QUERIES):
        assert client.get(reverse("reporting:comparison")).status_code == 200


LOCATION_PAGE_QUERIES = 24
CHAIN_PAGE_QUERIES = 26
COMPARISON_PAGE_QUERIES = 37
