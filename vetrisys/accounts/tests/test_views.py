"""Staff screens: who sees what, what a post changes, and in which language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from vetrisys.accounts.middleware import LOCATION_SESSION_KEY
from vetrisys.accounts.models import Location, Organization, Role, Room, StaffMembership, User
from vetrisys.accounts.tests.factories import PASSWORD, RoomFactory, UserFactory, make_staff
from vetrisys.audit.models import AuditEvent

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def visit(client: Client, people: dict[str, User], who: str, url: str) -> int:
    if who != "anonymous":
        client.force_login(people[who])
    return client.get(url).status_code


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# ---------------------------------------------------------------- who may see each page

EVERYONE = ["admin", "manager_a", "vet_a", "receptionist_a", "vet_b", "outsider"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
def test_staff_list_needs_staff_view(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    assert visit(client, people, who, reverse("staff_list")) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
def test_staff_create_page_needs_staff_manage(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    assert visit(client, people, who, reverse("staff_create")) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 404),
    ],
)
def test_staff_detail_is_hidden_from_another_organization(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    url = reverse("staff_detail", kwargs={"user_id": people["vet_a"].pk})
    assert visit(client, people, who, url) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
@pytest.mark.parametrize("url_name", ["role_list", "role_create", "organization_settings"])
def test_roles_and_organization_are_for_admins(
    client: Client, people: dict[str, User], who: str, status: int, url_name: str
) -> None:
    assert visit(client, people, who, reverse(url_name)) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 404),
    ],
)
def test_role_detail_is_hidden_from_another_organization(
    client: Client, people: dict[str, User], world: World, who: str, status: int
) -> None:
    role = Role.objects.get(organization=world.org, key="vet")
    assert visit(client, people, who, reverse("role_detail", kwargs={"role_id": role.pk})) == (
        status
    )


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("url_name", ["dashboard", "location_list"])
def test_dashboard_and_locations_are_for_every_staff_member(
    client: Client, people: dict[str, User], who: str, url_name: str
) -> None:
    assert visit(client, people, who, reverse(url_name)) == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 200),
        ("receptionist_a", 200),
        ("vet_b", 404),
        ("outsider", 404),
    ],
)
def test_location_detail_only_for_those_who_work_there(
    client: Client, people: dict[str, User], world: World, who: str, status: int
) -> None:
    url = reverse("location_detail", kwargs={"location_id": world.location_a.pk})
    assert visit(client, people, who, url) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
def test_opening_a_location_is_for_admins(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    assert visit(client, people, who, reverse("location_create")) == status


@pytest.mark.parametrize(
    "url_name",
    [
        "dashboard",
        "staff_list",
        "staff_create",
        "role_list",
        "role_create",
        "organization_settings",
        "location_list",
        "location_create",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None, url_name: str) -> None:
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_unknown_ids_answer_404(client: Client, admin: User) -> None:
    client.force_login(admin)
    missing = "01900000-0000-7000-8000-000000000000"

    assert client.get(reverse("staff_detail", kwargs={"user_id": missing})).status_code == 404
    assert client.get(reverse("role_detail", kwargs={"role_id": missing})).status_code == 404
    assert (
        client.get(reverse("location_detail", kwargs={"location_id": missing})).status_code == 404
    )


# ---------------------------------------------------------------- navigation and dashboard


def test_navigation_shows_only_what_the_user_may_open(
    client: Client, admin: User, vet_a: User
) -> None:
    client.force_login(vet_a)
    vet_page = client.get(reverse("dashboard")).content.decode()
    client.force_login(admin)
    admin_page = client.get(reverse("dashboard")).content.decode()

    for url_name in ["staff_list", "role_list", "organization_settings", "audit_list"]:
        assert f'href="{reverse(url_name)}"' not in vet_page
        assert f'href="{reverse(url_name)}"' in admin_page
    assert f'href="{reverse("location_list")}"' in vet_page


def test_dashboard_shows_the_roles_held_at_the_current_location(
    client: Client, world: World, vet_a: User
) -> None:
    client.force_login(vet_a)

    response = client.get(reverse("dashboard"))

    assert response.context["roles_here"] == ["Veterinarian"]
    assert response.context["location"] == world.location_a
    assert response.context["staff_count"] is None
    assert response.context["location_count"] == 1
    assert "Hello, Ana" in response.content.decode()


def test_dashboard_counts_staff_and_locations_for_an_admin(
    client: Client, people: dict[str, User], admin: User
) -> None:
    client.force_login(admin)

    response = client.get(reverse("dashboard"))

    assert response.context["roles_here"] == ["Administrator"]
    assert response.context["staff_count"] == 5
    assert response.context["location_count"] == 2
    assert response.context["can_read_audit"] is True


# ---------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("language", "words", "absent"),
    [
        ("en", ["Dashboard", "Staff", "Locations", "Sign out", "Your roles here"], "Personal"),
        ("es", ["Panel", "Personal", "Sedes", "Cerrar sesión", "Sus roles aquí"], "Dashboard"),
    ],
)
def test_pages_speak_the_user_language(
    client: Client, admin: User, language: str, words: list[str], absent: str
) -> None:
    admin.language = language
    admin.save()
    client.force_login(admin)

    page = client.get(reverse("dashboard")).content.decode()

    for word in words:
        assert word in page
    assert absent not in page


@pytest.mark.parametrize(
    ("accept_language", "button", "lang"),
    [("es", "Iniciar sesión", "es"), ("en", "Sign In", "en")],
)
def test_login_page_keeps_allauth_fields_in_either_language(
    client: Client, db: None, accept_language: str, button: str, lang: str
) -> None:
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=accept_language)
    page = response.content.decode()

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in page
    assert 'name="login"' in page
    assert 'name="password"' in page
    assert f">{button}</button>" in page
    assert "bootstrap.min.css" in page


def test_signing_in_through_the_login_page_lands_on_the_dashboard(
    client: Client, vet_a: User
) -> None:
    response = client.post(reverse("account_login"), {"login": "vet_a", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_language_switch_stores_the_choice(client: Client, admin: User) -> None:
    admin.language = "es"
    admin.save()
    client.force_login(admin)

    response = client.post(
        reverse("language_switch"), {"language": "en", "next": reverse("location_list")}
    )

    admin.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("location_list")
    assert admin.language == "en"
    assert [e.changes for e in events("staff.language")] == [{"language": ["es", "en"]}]


def test_language_switch_refuses_an_unknown_language(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("language_switch"), {"language": "fr", "next": "https://evil.example/"}
    )

    admin.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert admin.language == "en"
    assert events("staff.language") == []


def test_anonymous_language_switch_uses_django_set_language(client: Client, db: None) -> None:
    page = client.get(reverse("account_login")).content.decode()

    assert f'action="{reverse("set_language")}"' in page


# ---------------------------------------------------------------- location switcher


def test_location_switcher_moves_an_admin_to_another_location(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("location_switch"),
        {"location": str(world.location_b.pk), "next": reverse("dashboard")},
    )

    assert response.status_code == 302
    assert client.session[LOCATION_SESSION_KEY] == str(world.location_b.pk)
    assert client.get(reverse("dashboard")).context["location"] == world.location_b


@pytest.mark.parametrize("where", ["location_b", "other_location"])
def test_location_switcher_refuses_a_location_the_user_cannot_see(
    client: Client, world: World, vet_a: User, where: str
) -> None:
    client.force_login(vet_a)

    response = client.post(reverse("location_switch"), {"location": str(getattr(world, where).pk)})

    assert response.status_code == 404
    assert LOCATION_SESSION_KEY not in client.session
    assert client.get(reverse("dashboard")).context["location"] == world.location_a


def test_location_switcher_refuses_a_closed_location(
    client: Client, world: World, admin: User
) -> None:
    Location.objects.filter(pk=world.location_b.pk).update(is_active=False)
    client.force_login(admin)

    response = client.post(reverse("location_switch"), {"location": str(world.location_b.pk)})

    assert response.status_code == 404
    assert LOCATION_SESSION_KEY not in client.session


# ---------------------------------------------------------------- staff


def staff_post(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "username": "nurse_ana",
        "password": NEW_PASSWORD,
        "first_name": "Ana",
        "last_name": "Quispe",
        "email": "ana@example.com",
        "language": "es",
        "location_0": str(world.location_a.pk),
        "role_0": "technician",
        "location_1": "",
        "role_1": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_staff_member(client: Client, world: World, admin: User) -> None:
    client.force_login(admin)

    response = client.post(reverse("staff_create"), staff_post(world))

    created = User.objects.get(username="nurse_ana")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_detail", kwargs={"user_id": created.pk})
    assert (created.first_name, created.last_name, created.email, created.language) == (
        "Ana",
        "Quispe",
        "ana@example.com",
        "es",
    )
    assert created.organization_id == world.org.pk
    assert created.check_password(NEW_PASSWORD)
    assert [(m.location_id, m.role.key) for m in StaffMembership.objects.filter(user=created)] == [
        (world.location_a.pk, "technician")
    ]
    assert [e.target_id for e in events("staff.create")] == [str(created.pk)]


def test_a_weak_password_is_shown_on_the_form_and_creates_nobody(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)

    response = client.post(reverse("staff_create"), staff_post(world, password="12345"))

    assert response.status_code == 200
    assert response.context["form"].errors["password"][0].startswith("This password is too short")
    assert not User.objects.filter(username="nurse_ana").exists()
    assert events("staff.create") == []


def test_a_taken_username_is_a_form_error(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    client.force_login(admin)

    response = client.post(reverse("staff_create"), staff_post(world, username="vet_a"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The username vet_a is taken."]
    assert events("staff.create") == []


def test_a_role_without_a_location_is_a_form_error(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)

    response = client.post(reverse("staff_create"), staff_post(world, location_0=""))

    assert response.status_code == 200
    assert response.context["form"].errors["location_0"] == ["Choose a location for this role."]
    assert not User.objects.filter(username="nurse_ana").exists()


def test_a_manager_cannot_hand_out_the_admin_role(
    client: Client, world: World, manager_a: User
) -> None:
    client.force_login(manager_a)

    response = client.post(reverse("staff_create"), staff_post(world, role_0="admin"))

    assert response.status_code == 403
    assert not User.objects.filter(username="nurse_ana").exists()
    assert events("staff.create") == []


def test_a_vet_cannot_create_staff(client: Client, world: World, vet_a: User) -> None:
    client.force_login(vet_a)

    response = client.post(reverse("staff_create"), staff_post(world))

    assert response.status_code == 403
    assert not User.objects.filter(username="nurse_ana").exists()


def edit_post(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Rosa",
        "last_name": "Huamán",
        "email": "rosa@example.com",
        "language": "en",
        "password": "",
        "location_0": str(world.location_a.pk),
        "role_0": "vet",
        "location_1": "",
        "role_1": "",
    }
    data.update(overrides)
    return data


def test_admin_edits_a_staff_member_and_adds_a_location(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    client.force_login(admin)
    url = reverse("staff_detail", kwargs={"user_id": vet_a.pk})

    response = client.post(url, edit_post(world, location_1=str(world.location_b.pk), role_1="vet"))

    vet_a.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url
    assert (vet_a.first_name, vet_a.last_name, vet_a.email) == (
        "Rosa",
        "Huamán",
        "rosa@example.com",
    )
    assert sorted(
        (m.location.name, m.role.key) for m in StaffMembership.objects.filter(user=vet_a)
    ) == [("Arequipa Centro", "vet"), ("Miraflores", "vet")]
    [event] = events("staff.update")
    assert event.changes["first_name"] == ["Ana", "Rosa"]
    assert vet_a.check_password(PASSWORD)


def test_admin_edits_their_own_details_without_touching_their_roles(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("staff_detail", kwargs={"user_id": admin.pk}), edit_post(world, role_0="admin")
    )

    admin.refresh_from_db()
    assert response.status_code == 302
    assert admin.first_name == "Rosa"
    assert list(StaffMembership.objects.filter(user=admin).values_list("role__key", flat=True)) == [
        "admin"
    ]


def test_a_new_password_can_be_set(client: Client, world: World, admin: User, vet_a: User) -> None:
    client.force_login(admin)

    client.post(
        reverse("staff_detail", kwargs={"user_id": vet_a.pk}),
        edit_post(world, password=NEW_PASSWORD),
    )

    vet_a.refresh_from_db()
    assert vet_a.check_password(NEW_PASSWORD)
    assert events("staff.update")[0].changes["password"] == ["***", "***"]


def test_an_invalid_email_changes_nothing(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("staff_detail", kwargs={"user_id": vet_a.pk}), edit_post(world, email="nope")
    )

    vet_a.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert vet_a.first_name == "Ana"
    assert events("staff.update") == []


def test_a_manager_cannot_edit_an_admin(
    client: Client, world: World, manager_a: User, admin: User
) -> None:
    client.force_login(manager_a)

    response = client.post(
        reverse("staff_detail", kwargs={"user_id": admin.pk}), edit_post(world, role_0="admin")
    )

    admin.refresh_from_db()
    assert response.status_code == 403
    assert admin.first_name == "Ana"
    assert events("staff.update") == []


def test_another_organization_cannot_edit_our_staff(
    client: Client, world: World, outsider: User, vet_a: User
) -> None:
    client.force_login(outsider)

    response = client.post(reverse("staff_detail", kwargs={"user_id": vet_a.pk}), edit_post(world))

    vet_a.refresh_from_db()
    assert response.status_code == 404
    assert vet_a.first_name == "Ana"


def test_admin_deactivates_and_reactivates_a_staff_member(
    client: Client, admin: User, vet_a: User
) -> None:
    client.force_login(admin)
    url = reverse("staff_set_active", kwargs={"user_id": vet_a.pk})

    client.post(url, {"is_active": "0"})
    vet_a.refresh_from_db()
    deactivated = vet_a.is_active
    client.post(url, {"is_active": "1"})
    vet_a.refresh_from_db()

    assert deactivated is False
    assert vet_a.is_active is True
    assert [e.changes["is_active"] for e in events("staff.update")] == [
        [False, True],
        [True, False],
    ]


def test_nobody_deactivates_themselves(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("staff_set_active", kwargs={"user_id": admin.pk}), {"is_active": "0"}, follow=True
    )

    admin.refresh_from_db()
    assert admin.is_active is True
    assert [str(m) for m in response.context["messages"]] == [
        "You cannot deactivate yourself or change your own roles."
    ]
    assert events("staff.update") == []


@pytest.mark.parametrize(("who", "status"), [("vet_a", 403), ("outsider", 404)])
def test_deactivation_is_refused_to_others(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    client.force_login(people[who])
    receptionist = people["receptionist_a"]

    response = client.post(
        reverse("staff_set_active", kwargs={"user_id": receptionist.pk}), {"is_active": "0"}
    )

    receptionist.refresh_from_db()
    assert response.status_code == status
    assert receptionist.is_active is True


def test_staff_search_finds_by_name_and_answers_htmx_with_a_fragment(
    client: Client, people: dict[str, User], admin: User
) -> None:
    client.force_login(admin)

    full = client.get(reverse("staff_list"), {"q": "reception"})
    fragment = client.get(reverse("staff_list"), {"q": "reception"}, HTTP_HX_REQUEST="true")

    assert [u.username for u in full.context["page_obj"]] == ["reception_a"]
    assert "<html" in full.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "reception_a" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_manager_sees_only_colleagues_of_their_location(
    client: Client, people: dict[str, User], manager_a: User
) -> None:
    client.force_login(manager_a)

    response = client.get(reverse("staff_list"))

    assert [u.username for u in response.context["page_obj"]] == [
        "admin",
        "manager_a",
        "reception_a",
        "vet_a",
    ]


def test_staff_list_is_paginated_by_25(client: Client, world: World, admin: User) -> None:
    for index in range(30):
        make_staff(location=world.location_a, role="vet", username=f"vet{index:02}")
    client.force_login(admin)

    first = client.get(reverse("staff_list"))
    second = client.get(reverse("staff_list"), {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 6


@pytest.mark.parametrize("extra", [2, 12])
def test_staff_list_queries_do_not_grow_with_rows(
    client: Client, world: World, admin: User, django_assert_num_queries: object, extra: int
) -> None:
    for index in range(extra):
        location = world.location_a if index % 2 else world.location_b
        make_staff(location=location, role="vet", username=f"vet{index:02}")
    client.force_login(admin)
    client.get(reverse("dashboard"))

    with django_assert_num_queries(STAFF_LIST_QUERIES):  # type: ignore[operator]
        response = client.get(reverse("staff_list"))

    assert response.status_code == 200


# ---------------------------------------------------------------- roles


def test_role_list_shows_capability_labels(client: Client, admin: User) -> None:
    client.force_login(admin)

    page = client.get(reverse("role_list")).content.decode()

    assert "Clinic manager" in page
    assert "Sign medical records" in page


def test_admin_creates_a_custom_role(client: Client, world: World, admin: User) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("role_create"),
        {"name": "Groomer", "capabilities": ["patients.view", "appointments.view"]},
    )

    role = Role.objects.get(organization=world.org, key="groomer")
    assert response.status_code == 302
    assert (role.name, role.capabilities, role.is_builtin) == (
        "Groomer",
        ["appointments.view", "patients.view"],
        False,
    )
    assert [e.target_id for e in events("role.create")] == [str(role.pk)]


def test_a_duplicate_role_name_is_a_form_error(client: Client, world: World, admin: User) -> None:
    Role.objects.create(organization=world.org, key="groomer", name="Groomer")
    client.force_login(admin)

    response = client.post(reverse("role_create"), {"name": "Groomer", "capabilities": []})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["A role with this name already exists."]
    assert Role.objects.filter(organization=world.org, key="groomer").count() == 1
    assert events("role.create") == []


def test_admin_edits_a_custom_role(client: Client, world: World, admin: User) -> None:
    role = Role.objects.create(
        organization=world.org, key="groomer", name="Groomer", capabilities=["patients.view"]
    )
    client.force_login(admin)

    response = client.post(
        reverse("role_detail", kwargs={"role_id": role.pk}),
        {"name": "Pet groomer", "capabilities": ["clients.view"]},
    )

    role.refresh_from_db()
    assert response.status_code == 302
    assert (role.name, role.capabilities) == ("Pet groomer", ["clients.view"])
    assert events("role.update")[0].changes == {
        "name": ["Groomer", "Pet groomer"],
        "capabilities": [["patients.view"], ["clients.view"]],
    }


def test_built_in_roles_are_read_only(client: Client, world: World, admin: User) -> None:
    role = Role.objects.get(organization=world.org, key="vet")
    before = list(role.capabilities)
    client.force_login(admin)
    url = reverse("role_detail", kwargs={"role_id": role.pk})

    page = client.get(url).content.decode()
    response = client.post(url, {"name": "Doctor", "capabilities": ["clients.view"]})

    role.refresh_from_db()
    assert '<form method="post" action="' + url not in page
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Built-in roles cannot be changed."]
    assert (role.name, role.capabilities) == ("Veterinarian", before)


def test_a_manager_cannot_create_roles(client: Client, world: World, manager_a: User) -> None:
    client.force_login(manager_a)

    response = client.post(reverse("role_create"), {"name": "Groomer", "capabilities": []})

    assert response.status_code == 403
    assert not Role.objects.filter(key="groomer").exists()


def test_role_list_queries_are_fixed(
    client: Client, world: World, admin: User, django_assert_num_queries: object
) -> None:
    for index in range(5):
        Role.objects.create(organization=world.org, key=f"custom{index}", name=f"Custom {index}")
    client.force_login(admin)
    client.get(reverse("dashboard"))

    with django_assert_num_queries(ROLE_LIST_QUERIES):  # type: ignore[operator]
        client.get(reverse("role_list"))


# ---------------------------------------------------------------- organization


def test_admin_changes_the_organization_settings(client: Client, world: World, admin: User) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("organization_settings"),
        {
            "name": "Huellitas Perú",
            "legal_name": "Huellitas S.A.C.",
            "tax_id": "20123456789",
            "require_mfa": "on",
        },
    )

    org = Organization.objects.get(pk=world.org.pk)
    assert response.status_code == 302
    assert (org.name, org.legal_name, org.tax_id, org.require_mfa) == (
        "Huellitas Perú",
        "Huellitas S.A.C.",
        "20123456789",
        True,
    )
    assert events("organization.update")[0].changes["name"] == ["Huellitas", "Huellitas Perú"]


def test_an_organization_name_in_use_changes_nothing(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)

    response = client.post(reverse("organization_settings"), {"name": "Otra Clínica"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Another organization has this name."]
    assert Organization.objects.get(pk=world.org.pk).name == "Huellitas"
    assert events("organization.update") == []


def test_a_manager_cannot_change_the_organization(
    client: Client, world: World, manager_a: User
) -> None:
    client.force_login(manager_a)

    response = client.post(reverse("organization_settings"), {"name": "Mine"})

    assert response.status_code == 403
    assert Organization.objects.get(pk=world.org.pk).name == "Huellitas"


def test_the_outsider_edits_only_their_own_organization(
    client: Client, world: World, outsider: User
) -> None:
    client.force_login(outsider)

    client.post(reverse("organization_settings"), {"name": "Otra Clínica SAC"})

    assert Organization.objects.get(pk=world.org.pk).name == "Huellitas"
    assert Organization.objects.get(pk=world.other_org.pk).name == "Otra Clínica SAC"


# ---------------------------------------------------------------- locations and rooms


def location_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "San Isidro",
        "time_zone": "America/Lima",
        "currency": "USD",
        "tax_rate": "10.50",
        "address": "Av. Javier Prado 123",
        "phone": "01 555 1234",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_admin_opens_a_location(client: Client, world: World, admin: User) -> None:
    client.force_login(admin)

    response = client.post(reverse("location_create"), location_post())

    location = Location.objects.get(organization=world.org, name="San Isidro")
    assert response.status_code == 302
    assert response["Location"] == reverse("location_detail", kwargs={"location_id": location.pk})
    assert (location.currency, location.tax_rate, location.address, location.is_active) == (
        "USD",
        Decimal("10.50"),
        "Av. Javier Prado 123",
        True,
    )
    assert [e.target_id for e in events("location.create")] == [str(location.pk)]


def test_a_manager_cannot_open_a_location(client: Client, world: World, manager_a: User) -> None:
    client.force_login(manager_a)

    response = client.post(reverse("location_create"), location_post())

    assert response.status_code == 403
    assert not Location.objects.filter(name="San Isidro").exists()


def test_a_manager_edits_their_location(client: Client, world: World, manager_a: User) -> None:
    client.force_login(manager_a)
    url = reverse("location_detail", kwargs={"location_id": world.location_a.pk})

    response = client.post(url, location_post(name="Miraflores Norte", is_active="on"))

    location = Location.objects.get(pk=world.location_a.pk)
    assert response.status_code == 302
    assert (location.name, location.currency, location.tax_rate, location.phone) == (
        "Miraflores Norte",
        "USD",
        Decimal("10.50"),
        "01 555 1234",
    )
    assert events("location.update")[0].changes["name"] == ["Miraflores", "Miraflores Norte"]


def test_a_bad_tax_rate_changes_nothing(client: Client, world: World, admin: User) -> None:
    client.force_login(admin)
    url = reverse("location_detail", kwargs={"location_id": world.location_a.pk})

    response = client.post(url, location_post(tax_rate="150"))

    assert response.status_code == 200
    assert "tax_rate" in response.context["form"].errors
    assert Location.objects.get(pk=world.location_a.pk).tax_rate == Decimal("18.00")
    assert events("location.update") == []


@pytest.mark.parametrize(("who", "status"), [("vet_a", 403), ("vet_b", 404), ("outsider", 404)])
def test_others_cannot_edit_a_location(
    client: Client, people: dict[str, User], world: World, who: str, status: int
) -> None:
    client.force_login(people[who])
    url = reverse("location_detail", kwargs={"location_id": world.location_a.pk})

    response = client.post(url, location_post())

    assert response.status_code == status
    assert Location.objects.get(pk=world.location_a.pk).name == "Miraflores"


def test_a_manager_adds_a_room(client: Client, world: World, manager_a: User) -> None:
    client.force_login(manager_a)

    response = client.post(
        reverse("room_create", kwargs={"location_id": world.location_a.pk}),
        {"name": "Quirófano 1", "kind": "surgery"},
    )

    room = Room.objects.get(location=world.location_a)
    assert response.status_code == 302
    assert (room.name, room.kind, room.organization_id) == ("Quirófano 1", "surgery", world.org.pk)
    assert [e.changes for e in events("room.create")] == [
        {"name": "Quirófano 1", "kind": "surgery"}
    ]
    page = client.get(reverse("location_detail", kwargs={"location_id": world.location_a.pk}))
    assert "Quirófano 1" in page.content.decode()


def test_a_duplicate_room_is_a_form_error(client: Client, world: World, admin: User) -> None:
    RoomFactory(location=world.location_a, name="Consultorio 1")
    client.force_login(admin)

    response = client.post(
        reverse("room_create", kwargs={"location_id": world.location_a.pk}),
        {"name": "Consultorio 1", "kind": "exam"},
    )

    assert response.status_code == 200
    assert response.context["room_form"].non_field_errors() == [
        "A room with this name already exists here."
    ]
    assert Room.objects.filter(location=world.location_a).count() == 1


@pytest.mark.parametrize(("who", "status"), [("vet_a", 403), ("vet_b", 404), ("outsider", 404)])
def test_others_cannot_add_rooms(
    client: Client, people: dict[str, User], world: World, who: str, status: int
) -> None:
    client.force_login(people[who])

    response = client.post(
        reverse("room_create", kwargs={"location_id": world.location_a.pk}),
        {"name": "Quirófano 1", "kind": "surgery"},
    )

    assert response.status_code == status
    assert not Room.objects.exists()


@pytest.mark.parametrize("extra", [1, 6])
def test_location_list_queries_do_not_grow_with_rows(
    client: Client, world: World, admin: User, django_assert_num_queries: object, extra: int
) -> None:
    for index in range(extra):
        location = Location.objects.create(organization=world.org, name=f"Sede {index}")
        RoomFactory(location=location)
    client.force_login(admin)
    client.get(reverse("dashboard"))

    with django_assert_num_queries(LOCATION_LIST_QUERIES):  # type: ignore[operator]
        response = client.get(reverse("location_list"))

    assert len(response.context["locations"]) == 2 + extra


# ---------------------------------------------------------------- allauth pages in our layout


@pytest.mark.parametrize("url_name", ["mfa_index", "account_change_password", "mfa_activate_totp"])
def test_account_pages_render_in_the_layout(client: Client, admin: User, url_name: str) -> None:
    client.force_login(admin)

    response = client.get(reverse(url_name), follow=True)

    assert response.status_code == 200
    assert 'class="navbar-brand vs-brand"' in response.content.decode()


def test_password_reset_page_renders_for_anonymous_visitors(client: Client, db: None) -> None:
    response = client.get(reverse("account_reset_password"))

    assert response.status_code == 200
    assert 'class="form-control' in response.content.decode()


def test_pages_carry_no_inline_script_or_style(client: Client, admin: User) -> None:
    client.force_login(admin)
    UserFactory(organization=admin.organization)

    for url_name in ["dashboard", "staff_list", "location_list", "account_login"]:
        page = client.get(reverse(url_name)).content.decode()
        assert "<script>" not in page
        assert "style=" not in page
        assert "onclick" not in page


# Queries of a list page for a signed-in admin: session (read, then saved: 3), user, current
# location (2), MFA requirement, capability map (2), navigation's locations, and the page's
# own reads. Pinned so that they cannot grow with the number of rows.
STAFF_LIST_QUERIES = 14
ROLE_LIST_QUERIES = 12
LOCATION_LIST_QUERIES = 12
