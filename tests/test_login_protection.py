"""Sign-in protection (django-axes, kb/signin.py): after AXES_FAILURE_LIMIT wrong passwords (5) for
an account or from an address, signing in is refused, even with the right password, until the
cool-off (15 minutes) has passed or an administrator lifts the block; the refusal is a page that
says what happened, when to try again and whom to ask. A successful sign-in forgets that user's
failures from that address, and nothing else. The client's address is the connection's, unless
the operator says how many proxies stand in front of the app."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Every wrong password is checked by a real hash: keep these many checks quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD, is_staff=True)


def sign_in(username, password, address, **headers):
    """One admin sign-in from a fresh browser at the address; returns the response."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == "/admin/"


def fail(times, username="alice", address=ATTACKER, **headers):
    for _ in range(times):
        response = sign_in(username, "wrong password", address, **headers)
    return response


def assert_locked_out(response):
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in blocked" in text
    assert "Too many failed sign-in attempts" in text
    assert "Try again in 15 minutes, after " in text
    assert "ask an administrator" in text
    assert response["Retry-After"] == "900"


# --- Lockout -------------------------------------------------------------------------------------


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(alice):
    assert fail(4).status_code == 200  # the login form again, with its error
    assert_locked_out(fail(1))
    response = sign_in("alice", PASSWORD, ATTACKER)
    assert not signed_in(response)
    assert_locked_out(response)
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_page_has_the_admins_look_and_says_when_to_try_again(alice):
    fail(5)
    response = sign_in("alice", PASSWORD, ATTACKER)
    text = response.content.decode()
    assert "Incident-claims knowledge base" in text  # the admin's header
    assert "admin/css/login.css" in text
    retry = response.wsgi_request.axes_attempt_time + datetime.timedelta(minutes=15)
    assert f"after {retry:%H:%M} UTC on {retry.day} {retry:%B %Y}" in text


def test_four_wrong_passwords_do_not_lock(alice):
    fail(4)
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


def test_the_attacked_account_is_locked_from_every_address(alice):
    fail(5)
    assert_locked_out(sign_in("alice", PASSWORD, ELSEWHERE))


def test_the_attacking_address_is_locked_for_every_account(alice, bob):
    fail(5)
    assert_locked_out(sign_in("bob", PASSWORD, ATTACKER))


def test_another_user_at_another_address_is_not_locked(alice, bob):
    fail(5)
    assert signed_in(sign_in("bob", PASSWORD, ELSEWHERE))


def test_guessing_several_accounts_from_one_address_is_stopped(alice, bob):
    """Spread over accounts, the failures still add up for the address."""
    for username in ["alice", "bob", "carol", "dave", "erin"]:
        fail(1, username)
    assert_locked_out(sign_in("bob", PASSWORD, ATTACKER))
    assert signed_in(sign_in("bob", PASSWORD, ELSEWHERE))


# --- Cool-off ------------------------------------------------------------------------------------


def age_attempts(minutes, seconds=0):
    """Move every recorded failure back in time, as if that long had passed since."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes, seconds=seconds)
    )


def test_the_right_password_works_again_after_the_cool_off(alice):
    fail(5)
    age_attempts(15, seconds=1)
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


def test_the_lock_holds_until_the_cool_off_has_passed(alice):
    fail(5)
    age_attempts(14)
    assert_locked_out(sign_in("alice", PASSWORD, ATTACKER))


def test_the_cool_off_follows_its_setting(alice, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    fail(5)
    age_attempts(1, seconds=1)
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


def test_the_failure_limit_follows_its_setting(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(3)
    assert sign_in("alice", PASSWORD, ATTACKER).status_code == 429


# --- Unlocking -----------------------------------------------------------------------------------


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_axes_reset_username_unlocks_the_account(alice):
    fail(5)
    assert "attempts removed" in command("axes_reset_username", "alice")
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


def test_axes_reset_ip_unlocks_the_address(alice, bob):
    for username in ["carol", "dave", "erin", "frank", "grace"]:
        fail(1, username)
    assert_locked_out(sign_in("bob", PASSWORD, ATTACKER))
    assert "attempts removed" in command("axes_reset_ip", ATTACKER)
    assert signed_in(sign_in("bob", PASSWORD, ATTACKER))


def test_axes_reset_unlocks_everything(alice):
    fail(5)
    command("axes_reset")
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


# --- A success resets the count ------------------------------------------------------------------


def test_a_success_before_the_limit_resets_the_count(alice):
    fail(4)
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))
    fail(4)
    assert signed_in(sign_in("alice", PASSWORD, ATTACKER))


def test_signing_in_to_ones_own_account_does_not_forgive_failures_against_another(alice, bob):
    """Someone with an account cannot reset their address's count by signing in between
    guesses at another account."""
    fail(4, "alice")
    assert signed_in(sign_in("bob", PASSWORD, ATTACKER))
    assert_locked_out(fail(1, "alice"))


def test_the_victims_sign_in_does_not_forgive_the_attackers_failures(alice):
    fail(4, "alice")
    assert signed_in(sign_in("alice", PASSWORD, ELSEWHERE))
    assert_locked_out(fail(1, "alice"))


# --- The client's address ------------------------------------------------------------------------


def test_without_a_proxy_x_forwarded_for_is_ignored(alice):
    """A client cannot escape the address lock by writing a new X-Forwarded-For each time."""
    for n in range(5):
        fail(1, "alice", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert_locked_out(sign_in("bob", PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99"))


PROXY = "10.0.0.2"


def test_behind_one_proxy_the_address_it_appended_is_the_clients(alice, bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # whatever the client wrote to the left, the proxy's entry is last
        fail(1, "alice", PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert_locked_out(sign_in("bob", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ATTACKER))
    # Another client behind the same proxy is not the attacker.
    assert signed_in(sign_in("bob", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE))


def test_behind_two_proxies_the_outer_proxys_entry_is_the_clients(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    fail(1, "alice", PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}, 10.0.0.1")
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_a_short_or_garbled_forwarded_chain_counts_against_the_connection(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    fail(1, "alice", ELSEWHERE, HTTP_X_FORWARDED_FOR="192.0.2.1")
    fail(1, "alice", ATTACKER, HTTP_X_FORWARDED_FOR="not an address, 10.0.0.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ELSEWHERE, ATTACKER}
