"""Helpers several test files share: a signed-in client in a role, and the change log's export."""

import csv
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.test import Client

from kb.roles import EDITORS


def signed_in(username, role=EDITORS):
    """A new staff user in the role, and a client signed in as them."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return user, client


def export_rows(client, **params):
    """The rows of /changes/export.csv for the parameters, as dicts."""
    response = client.get("/changes/export.csv", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
