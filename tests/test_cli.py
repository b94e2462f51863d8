"""The `vetrisys` command line: init, demo, audit-verify, serve and pass-through to Django."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation

from vetrisys.__main__ import main
from vetrisys.accounts.models import Location, Organization, Role, Room, StaffMembership, User
from vetrisys.audit.models import AuditChainHead, AuditEvent

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("vetrisys"))
INIT_ARGS = [
    "init",
    "--org",
    "Huellitas Surco",
    "--location",
    "Surco",
    "--admin-username",
    "rosa",
    "--admin-password",
    "vetrisys-demo",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are the English ones (the default language is Spanish)."""
    with translation.override("en"):
        yield


def _counts() -> dict[str, int]:
    models = [Organization, Location, Room, Role, User, StaffMembership, AuditEvent]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def run_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[list[str]], tuple[int, str, str]]:
    """Run `vetrisys ARGS` in this process; return (exit code, stdout, stderr)."""
    # A command run from the command line closes the database connections when it ends;
    # here that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(args: list[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main(args)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        else:
            code = 0
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _cli_env(home: Path) -> dict[str, str]:
    """A fresh embedded install under `home`, whatever database the test run itself uses."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        VETRISYS_HOME=str(home),
        DATABASE_URL="sqlite:///var/vetrisys.sqlite3",
        DJANGO_SETTINGS_MODULE="vetrisys.config.settings",
        LANGUAGE_CODE="en",
        PYTHONUNBUFFERED="1",
    )
    env.pop("VETRISYS_TESTING", None)
    return env


def _cli(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONSOLE_SCRIPT, *args],
        env=_cli_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------- init


@pytest.mark.django_db
def test_init_creates_the_organization_its_location_and_its_admin():
    out = StringIO()

    call_command(*INIT_ARGS, "--time-zone", "America/Lima", "--currency", "USD", stdout=out)

    organization = Organization.objects.get()
    location = Location.objects.get()
    admin = User.objects.get()
    assert organization.name == "Huellitas Surco"
    assert (location.organization_id, location.name, location.time_zone) == (
        organization.pk,
        "Surco",
        "America/Lima",
    )
    assert (location.currency, location.tax_rate) == ("USD", Decimal("18.00"))
    assert (admin.username, admin.organization_id) == ("rosa", organization.pk)
    assert admin.check_password("vetrisys-demo")
    membership = StaffMembership.objects.get()
    assert (membership.user_id, membership.location_id, membership.role.key) == (
        admin.pk,
        location.pk,
        "admin",
    )
    assert Role.objects.filter(organization=organization).count() == 7
    assert out.getvalue() == (
        "Created organization 'Huellitas Surco' with location 'Surco' (America/Lima, USD) "
        "and administrator 'rosa'.\n"
    )


@pytest.mark.django_db
def test_init_with_another_name_adds_a_second_organization():
    call_command(*INIT_ARGS, stdout=StringIO())

    call_command(
        "init",
        "--org",
        "Mascotas Felices",
        "--location",
        "Trujillo",
        "--admin-username",
        "jorge",
        "--admin-password",
        "otra-clave-segura",
        stdout=StringIO(),
    )

    assert list(Organization.objects.values_list("name", flat=True)) == [
        "Huellitas Surco",
        "Mascotas Felices",
    ]
    jorge = User.objects.get(username="jorge")
    assert jorge.organization == Organization.objects.get(name="Mascotas Felices")
    assert list(Location.objects.filter(organization=jorge.organization_id)) == [
        Location.objects.get(name="Trujillo")
    ]


@pytest.mark.django_db
def test_init_with_a_taken_name_is_an_error_and_creates_nothing(run_main):
    call_command(*INIT_ARGS, stdout=StringIO())
    before = _counts()

    code, out, err = run_main(
        [
            "init",
            "--org",
            "huellitas surco",
            "--location",
            "Barranco",
            "--admin-username",
            "lucia",
            "--admin-password",
            "vetrisys-demo",
        ]
    )

    assert (code, out) == (1, "")
    assert err == "CommandError: An organization named huellitas surco already exists.\n"
    assert _counts() == before
    assert not User.objects.filter(username="lucia").exists()


@pytest.mark.django_db
def test_init_with_a_taken_username_is_an_error_and_creates_nothing(run_main):
    call_command(*INIT_ARGS, stdout=StringIO())
    before = _counts()

    code, out, err = run_main(
        [
            "init",
            "--org",
            "Mascotas Felices",
            "--location",
            "Trujillo",
            "--admin-username",
            "ROSA",
            "--admin-password",
            "vetrisys-demo",
        ]
    )

    assert (code, out, err) == (1, "", "CommandError: The username ROSA is taken.\n")
    assert _counts() == before


@pytest.mark.django_db
def test_init_with_a_weak_password_says_why_and_creates_nothing(run_main):
    code, out, err = run_main([*INIT_ARGS[:-1], "12345"])

    assert (code, out) == (1, "")
    assert err == (
        "CommandError: The password is not strong enough. (password: This password is too "
        "short. It must contain at least 10 characters. This password is too common. "
        "This password is entirely numeric.)\n"
    )
    assert Organization.objects.count() == 0
    assert User.objects.count() == 0


# ---------------------------------------------------------------- demo


@pytest.mark.django_db
def test_demo_loads_the_demo_clinic_and_prints_its_logins():
    out = StringIO()

    call_command("demo", stdout=out)

    organization = Organization.objects.get()
    assert organization.name == "Veterinaria Huellitas"
    locations = {
        location.name: (location.time_zone, location.currency, location.tax_rate)
        for location in Location.objects.all()
    }
    assert locations == {
        "Miraflores": ("America/Lima", "PEN", Decimal("18.00")),
        "Arequipa": ("America/Lima", "PEN", Decimal("18.00")),
    }
    rooms = sorted(Room.objects.values_list("location__name", "name", "kind"))
    assert rooms == [
        ("Arequipa", "Consultorio 1", "exam"),
        ("Arequipa", "Ecografía", "imaging"),
        ("Arequipa", "Quirófano", "surgery"),
        ("Miraflores", "Consultorio 1", "exam"),
        ("Miraflores", "Consultorio 2", "exam"),
        ("Miraflores", "Quirófano", "surgery"),
        ("Miraflores", "Rayos X y ecografía", "imaging"),
    ]
    memberships = sorted(
        StaffMembership.objects.values_list("user__username", "role__key", "location__name")
    )
    assert memberships == [
        ("admin", "admin", "Miraflores"),
        ("cashier", "cashier", "Miraflores"),
        ("manager", "manager", "Miraflores"),
        ("pharmacist", "pharmacist", "Miraflores"),
        ("receptionist", "receptionist", "Miraflores"),
        ("receptionist.arequipa", "receptionist", "Arequipa"),
        ("technician", "technician", "Miraflores"),
        ("vet", "vet", "Miraflores"),
        ("vet.arequipa", "vet", "Arequipa"),
    ]
    vet = User.objects.get(username="vet")
    assert (vet.first_name, vet.last_name) == ("Lucía", "Flores Rojas")
    assert all(user.check_password("vetrisys-demo") for user in User.objects.all())
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo organization 'Veterinaria Huellitas' is ready. Logins:"
    assert lines[2].split() == ["username", "password", "role", "location"]
    assert lines[3].split() == ["admin", "vetrisys-demo", "Administrator", "Miraflores"]
    assert lines[10].split() == ["vet.arequipa", "vetrisys-demo", "Veterinarian", "Arequipa"]
    assert lines[-1] == "Run `vetrisys serve` and open http://127.0.0.1:8000/"


@pytest.mark.django_db
def test_demo_twice_creates_nothing_twice():
    call_command("demo", stdout=StringIO())
    after_first = _counts()

    call_command("demo", stdout=StringIO())

    assert _counts() == after_first
    assert {key: after_first[key] for key in ["Organization", "Location", "Room", "User"]} == {
        "Organization": 1,
        "Location": 2,
        "Room": 7,
        "User": 9,
    }


# ---------------------------------------------------------------- audit-verify


def _tamper_action(event: AuditEvent) -> None:
    """Rewrite an audit row behind the application's back, as a database superuser could."""
    key = event.pk.hex if connection.vendor == "sqlite" else str(event.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x.forged", key])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.mark.django_db
def test_audit_verify_exits_0_on_an_intact_chain(run_main):
    call_command("demo", stdout=StringIO())
    events = AuditEvent.objects.count()
    assert AuditChainHead.objects.count() == 1

    code, out, err = run_main(["audit-verify"])

    assert (code, err) == (0, "")
    assert out == f"audit chain intact: {events} events in 1 chains\n"


@pytest.mark.django_db
def test_audit_verify_exits_1_with_the_first_broken_link(run_main):
    call_command("demo", stdout=StringIO())
    organization = Organization.objects.get()
    _tamper_action(AuditEvent.objects.get(chain=str(organization.pk), sequence=3))

    code, out, err = run_main(["audit-verify"])

    assert (code, out) == (1, "")
    assert err == (
        f"CommandError: audit chain broken: chain {organization.pk}, event #3: "
        "its content was changed\n"
    )


# ---------------------------------------------------------------- the console script


def test_python_dash_m_vetrisys_help_lists_the_vetrisys_commands(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vetrisys", "--help"],
        env=_cli_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    for app, commands in {
        "[accounts]": ["demo", "init"],
        "[audit]": ["audit_verify"],
        "[core]": ["rotate_keys", "serve", "worker"],
    }.items():
        start = lines.index(app)
        assert [line.strip() for line in lines[start + 1 : start + 1 + len(commands)]] == commands


def test_other_commands_pass_through_to_django(tmp_path):
    result = _cli(tmp_path, "showmigrations", "accounts")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:2] == ["accounts", " [ ] 0001_initial"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(url: str, process: subprocess.Popen[Any], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stdout.read()}")  # type: ignore[union-attr]
        try:
            urllib.request.urlopen(url, timeout=2).close()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
        else:
            return
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_a_fresh_install_runs_demo_then_serve_and_audit_verify(tmp_path):
    demo = _cli(tmp_path, "demo")
    assert demo.returncode == 0
    # Standard error holds one line: the encryption key file made on first use.
    [line] = demo.stderr.splitlines()
    assert line.endswith(
        f" WARNING vetrisys.core.crypto Created the encryption key file "
        f"{tmp_path / 'var' / 'encryption_keys.json'}. Keep a copy of it somewhere safe and "
        "apart from the backups: without it the owners' encrypted details cannot be read."
    )
    assert "  admin                  vetrisys-demo" in demo.stdout

    verify = _cli(tmp_path, "audit-verify")
    assert verify.returncode == 0
    assert verify.stdout.startswith("audit chain intact: ")
    assert verify.stdout.endswith(" events in 1 chains\n")

    port = _free_port()
    server = subprocess.Popen(
        [CONSOLE_SCRIPT, "serve", "--port", str(port), "--threads", "2"],
        env=_cli_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/static/admin/css/base.css", server)
        static_status, static_body = _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        login_status, login_page = _get(f"http://127.0.0.1:{port}/accounts/login/")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)

    assert static_status == 200
    assert "DJANGO Admin styles" in static_body
    assert login_status == 200, output[-3000:]
    assert 'name="login"' in login_page
    assert (tmp_path / "var" / "static" / "staticfiles.json").is_file()
    assert server.returncode == 0
    assert (
        f"VetriSys is running at http://127.0.0.1:{port}/ "
        "(with background jobs in this process). Stop it with Ctrl+C."
    ) in output


@pytest.mark.django_db
def test_stock_verify_is_reachable_by_its_hyphenated_name(run_main):
    call_command("demo", stdout=StringIO())
    from vetrisys.inventory.models import StockBalance

    balances = StockBalance.objects.count()

    code, out, err = run_main(["stock-verify"])

    assert (code, err) == (0, "")
    assert out == f"stock conserved: {balances} balances match the ledger\n"
