"""Settings from the environment: typed readers that fail loudly, and a production deploy check."""

from __future__ import annotations

import base64
import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vetrisys.config.env import (
    env_bool,
    env_int,
    env_list,
    env_secret,
    parse_database_url,
    parse_email_url,
)

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("vetrisys"))
UNSET = [
    "DEBUG",
    "REDIS_URL",
    "SECRET_KEY_FILE",
    "VETRISYS_TESTING",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]


def _production_env(home: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(
        VETRISYS_HOME=str(home),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.pe",
        HTTPS="true",
        DATABASE_URL="postgres://vetrisys:secret@db.internal:5432/vetrisys",
        ENCRYPTION_KEYS=f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        ENCRYPTION_HASH_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    env.update(overrides)
    return env


def _vetrisys(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONSOLE_SCRIPT, *args],
        env=env,
        cwd=env["VETRISYS_HOME"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ---------------------------------------------------------------- production


def test_the_deploy_check_passes_in_a_production_environment(tmp_path):
    result = _vetrisys(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.stderr == ""
    assert result.returncode == 0
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_the_deploy_check_fails_without_https(tmp_path):
    env = _production_env(tmp_path, HTTPS="false")

    result = _vetrisys(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 1
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr


def test_a_server_database_without_a_secret_key_refuses_to_start(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _vetrisys(env, "check")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY (or SECRET_KEY_FILE) must be set."
    )


def test_a_server_database_without_encryption_keys_refuses_to_start(tmp_path):
    env = _production_env(tmp_path)
    del env["ENCRYPTION_KEYS"]

    result = _vetrisys(env, "check")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: ENCRYPTION_KEYS (or ENCRYPTION_KEY_FILE) "
        "must be set: see docs/encryption.md."
    )


def test_a_malformed_encryption_key_refuses_to_start(tmp_path):
    env = _production_env(tmp_path, ENCRYPTION_KEYS="k1:c2hvcnQ=")

    result = _vetrisys(env, "check")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: ENCRYPTION_KEYS: key 'k1' must be 32 "
        "bytes (base64 of 32 random bytes), not 5."
    )


# ---------------------------------------------------------------- typed readers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("HTTPS", raw)

    assert env_bool("HTTPS", not expected) is expected


def test_env_bool_without_the_variable_is_the_default(monkeypatch):
    monkeypatch.delenv("HTTPS", raising=False)

    assert env_bool("HTTPS", True) is True


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("HTTPS", "maybe")

    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("HTTPS", False)

    assert str(error.value) == "HTTPS='maybe' is not a boolean (use true or false)."


def test_env_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", " 900 ")

    assert env_int("SESSION_IDLE_TIMEOUT", 1800, minimum=60) == 900


def test_env_int_refuses_a_non_integer(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", "ten minutes")

    with pytest.raises(ImproperlyConfigured) as error:
        env_int("SESSION_IDLE_TIMEOUT", 1800)

    assert str(error.value) == "SESSION_IDLE_TIMEOUT='ten minutes' is not an integer."


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", "5")

    with pytest.raises(ImproperlyConfigured) as error:
        env_int("SESSION_IDLE_TIMEOUT", 1800, minimum=60)

    assert str(error.value) == "SESSION_IDLE_TIMEOUT=5 must be at least 60."


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " clinic.example.pe, ,api.example.pe ")

    assert env_list("ALLOWED_HOSTS", []) == ["clinic.example.pe", "api.example.pe"]


def test_env_secret_reads_the_file_named_by_name_file(monkeypatch, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("s3cr3t-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("SECRET_KEY", "ignored-when-a-file-is-given")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))

    assert env_secret("SECRET_KEY") == "s3cr3t-from-a-file"


def test_env_secret_without_a_file_reads_the_variable(monkeypatch):
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    assert env_secret("SECRET_KEY") == "from-the-environment"


def test_env_secret_refuses_a_missing_file(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("SECRET_KEY_FILE", str(missing))

    with pytest.raises(ImproperlyConfigured) as error:
        env_secret("SECRET_KEY")

    assert str(error.value) == f"SECRET_KEY_FILE={str(missing)!r} is not a readable file."


# ---------------------------------------------------------------- DATABASE_URL and EMAIL_URL


def test_a_postgres_url_becomes_the_exact_database_settings(tmp_path):
    url = "postgres://vetrisys:p%40ss@db.internal:6432/clinic?sslmode=require&connect_timeout=5"

    assert parse_database_url(url, base_dir=tmp_path) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "clinic",
        "USER": "vetrisys",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6432",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"sslmode": "require", "connect_timeout": "5"},
    }


def test_a_postgres_url_may_name_a_unix_socket_directory(tmp_path):
    settings = parse_database_url(
        "postgres:///vetrisys?host=/var/run/postgresql", base_dir=tmp_path
    )

    assert (settings["NAME"], settings["HOST"], settings["PORT"], settings["OPTIONS"]) == (
        "vetrisys",
        "/var/run/postgresql",
        "",
        {},
    )


def test_a_relative_sqlite_url_lives_under_the_base_directory(tmp_path):
    settings = parse_database_url("sqlite:///var/clinic.sqlite3", base_dir=tmp_path)

    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(tmp_path / "var" / "clinic.sqlite3")
    assert settings["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    assert (tmp_path / "var").is_dir()


def test_an_absolute_sqlite_url_is_taken_as_is(tmp_path):
    settings = parse_database_url(f"sqlite:///{tmp_path}/data/clinic.sqlite3", base_dir=Path("/"))

    assert settings["NAME"] == str(tmp_path / "data" / "clinic.sqlite3")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://root@localhost/vetrisys",
            "DATABASE_URL scheme 'mysql' is not supported (use sqlite:// or postgres://).",
        ),
        (
            "postgres://db.internal:5432/",
            "DATABASE_URL='postgres://db.internal:5432/' names no database.",
        ),
        ("sqlite:///", "DATABASE_URL='sqlite:///' names no SQLite file."),
    ],
)
def test_a_bad_database_url_says_what_is_wrong(tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_database_url(url, base_dir=tmp_path)

    assert str(error.value) == message


def test_an_smtp_url_becomes_the_exact_email_settings():
    assert parse_email_url("smtp://mailer:p%2Fw@mail.example.pe:2525") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.pe",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p/w",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": False,
    }


def test_email_urls_choose_tls_and_default_ports():
    smtps = parse_email_url("smtps://mail.example.pe")
    submission = parse_email_url("submission://mail.example.pe:587")

    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert (submission["EMAIL_PORT"], submission["EMAIL_USE_TLS"]) == (587, True)
    assert parse_email_url("console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_a_bad_email_url_says_what_is_wrong():
    with pytest.raises(ImproperlyConfigured) as error:
        parse_email_url("sendmail:///usr/sbin/sendmail")

    assert str(error.value) == (
        "EMAIL_URL scheme 'sendmail' is not supported (console://, smtp://, smtps://)."
    )


# ---------------------------------------------------------------- documentation


def _variables_read_by_settings() -> set[str]:
    import re

    import vetrisys.config.settings as settings_module

    source = Path(settings_module.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))
    secrets_ = set(re.findall(r'env_secret\(\s*"([A-Z0-9_]+)"', source))
    return names | secrets_ | {f"{name}_FILE" for name in secrets_}


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_environment_variable_is_documented(document):
    text = (Path(__file__).resolve().parents[1] / document).read_text(encoding="utf-8")

    missing = sorted(name for name in _variables_read_by_settings() if name not in text)

    assert missing == []


def test_an_object_store_without_django_storages_is_a_clear_error(tmp_path):
    if importlib.util.find_spec("storages") is not None:
        pytest.skip("django-storages is installed here")
    env = _production_env(tmp_path, S3_BUCKET="vetrisys-attachments")

    result = _vetrisys(env, "check")

    assert result.returncode == 1
    assert (
        "S3_BUCKET is set but django-storages is not installed: pip install 'vetrisys[s3]'."
        in result.stderr
    )
