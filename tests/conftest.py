"""Test harness: the seed data is loaded once per session into the test database (each test runs
in a transaction that is rolled back), and the production-safe HTTP settings are relaxed for the
test client. Passwords are hashed with a fast hasher: the tests sign users in, they do not measure
the hash's strength (production keeps Django's default, PBKDF2)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.test import client as test_client

from kb.roles import EDITORS, PUBLISHERS

PUBLISHER = "quillon"  # the publisher's username: a word that appears nowhere in the seed data


def pytest_configure(config):
    # PBKDF2's million iterations take about half a second per password: the `editor` fixture
    # alone paid that in hundreds of tests. Set before any password is hashed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _no_form_widget_contexts():
    """The test client keeps a copy of the context of every template a response renders, for
    `response.context`. Django renders each form field and widget, down to each <option> of a
    select, with a template of its own (django/forms/...): hundreds per list page, whose copies
    took about a quarter of the time of the page tests. No test reads them (every key a test
    looks up in `response.context` is found first in a page's own templates), so they are not
    kept; every other template's context is."""
    keep = test_client.store_rendered_templates

    def store_rendered_templates(store, signal, sender, template, context, **kwargs):
        name = getattr(getattr(template, "origin", None), "template_name", None)
        if isinstance(name, str) and name.startswith("django/forms/"):
            return
        keep(store, signal, sender, template, context, **kwargs)

    test_client.store_rendered_templates = store_rendered_templates
    yield
    test_client.store_rendered_templates = keep


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_seed", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # A test's rolled-back changes can leave the change log as it was (kb.cache's version).
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production defaults redirect to https and expect collected, hashed static files.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("ed", password="x", is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=EDITORS))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher(db):
    user = get_user_model().objects.create_user(PUBLISHER, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=PUBLISHERS))
    return user


@pytest.fixture
def pub(publisher):
    """A client signed in as a publisher."""
    client = Client()
    client.force_login(publisher)
    return client
