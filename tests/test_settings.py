"""Settings come from the environment; production settings pass Django's deployment checks; every
response carries the security headers (CSP, HSTS without preload, Permissions-Policy)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qz!p9Lm#2Rv$8Tw^4Yb&6Nc*1Hd(5Jf)0Kg" * 2,
    "ALLOWED_HOSTS": "kb.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://kb.example.org",
    "DATABASE_URL": "postgres://kb:secret@db.example.org:5432/kb",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deployment_checks_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_stops_a_production_start_with_a_clear_message():
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_setting_is_reported_not_guessed():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_database_url_selects_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = manage("shell", "-v0", "-c", code, env=PRODUCTION)
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_sqlite_is_the_default_database():
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = manage("shell", "-v0", "-c", code, env={"DEBUG": "1", "DATABASE_URL": ""})
    assert result.stdout.strip().endswith("db.sqlite3"), result.stderr


def test_responses_carry_a_content_security_policy(client, db):
    response = client.get("/admin/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy


SIGN_IN = (
    "from django.conf import settings as s; "
    "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.TRUSTED_PROXY_COUNT)"
)
NO_SIGN_IN_SETTINGS = dict.fromkeys(
    ["AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "TRUSTED_PROXY_COUNT"], ""
)


def test_sign_in_protection_defaults_to_5_failures_15_minutes_and_no_proxy():
    result = manage("shell", "-v0", "-c", SIGN_IN, env={**PRODUCTION, **NO_SIGN_IN_SETTINGS})
    assert result.stdout.strip() == "5 0:15:00 0", result.stderr


def test_sign_in_limits_and_proxies_come_from_the_environment():
    env = {"AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_MINUTES": "60", "TRUSTED_PROXY_COUNT": "1"}
    result = manage("shell", "-v0", "-c", SIGN_IN, env={**PRODUCTION, **env})
    assert result.stdout.strip() == "3 1:00:00 1", result.stderr


def test_a_sign_in_limit_that_would_disable_the_protection_is_refused():
    for name in ("AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES"):
        result = manage("check", env={**PRODUCTION, name: "0"})
        assert result.returncode != 0
        assert "must be at least 1" in result.stderr, name


def test_hsts_preload_is_off_unless_the_operator_opts_in():
    code = (
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    assert manage("shell", "-v0", "-c", code, env=PRODUCTION).stdout.split() == ["False", "True"]
    opted_in = manage("shell", "-v0", "-c", code, env={**PRODUCTION, "SECURE_HSTS_PRELOAD": "1"})
    assert opted_in.stdout.split() == ["True", "True"], opted_in.stderr


def test_only_the_preload_reminder_is_silenced_and_an_opt_in_still_passes_the_checks():
    # Beside the preload reminder, only SQLite's note that it skips covering indexes' INCLUDE.
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    expected = ["security.W021"] + (["models.W040"] if on_sqlite else [])
    assert expected == settings.SILENCED_SYSTEM_CHECKS
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION, "SECURE_HSTS_PRELOAD": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hsts_header_does_not_ask_for_preloading_by_default(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/admin/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/",  # a page
        "/incidents/map.json",  # a JSON endpoint
        "/incidents/export.csv",  # a streamed export
        "/admin/login/",  # the admin
        "/no-such-page/",  # an error
    ],
)
def test_every_response_turns_off_the_browser_features_the_site_never_uses(client, db, url):
    response = client.get(url)
    policy = dict(
        directive.strip().split("=", 1)
        for directive in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()", feature
    assert "interest-cohort" in policy
    assert set(policy.values()) == {"()"}
