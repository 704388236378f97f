"""Claiming a row for a workflow step (`tellonce.core.claims`): the change lands only
while the row is as the step saw it, and the one who comes second is told, by name of
field, in the pages' and the API's one way of saying what went wrong."""

from __future__ import annotations

import pytest

from tellonce.api.errors import exception_handler
from tellonce.api.requests import named_as_sent
from tellonce.core.claims import AlreadyDone, claim
from tellonce.organisations.models import Team


@pytest.mark.django_db
def test_a_claim_changes_the_row_once_and_refuses_the_second_by_field(world):
    seen = {"email": world.mash.email}
    claim(
        Team,
        world.mash.pk,
        expected=seen,
        changes={"email": "mash@northbrook.example"},
        field="email",
        refused="Someone else has just changed the MASH's email",
    )
    with pytest.raises(AlreadyDone) as refused:
        claim(
            Team,
            world.mash.pk,
            expected=seen,
            changes={"email": "other@northbrook.example"},
            field="email",
            refused="Someone else has just changed the MASH's email",
        )
    assert refused.value.message_dict == {
        "email": ["Someone else has just changed the MASH's email"]
    }
    assert Team.objects.get(pk=world.mash.pk).email == "mash@northbrook.example"


def test_someone_else_getting_there_first_is_a_409_in_the_one_error_format():
    # Through an API view's naming of fields, still someone else's step: a 409.
    with pytest.raises(AlreadyDone) as refused, named_as_sent({"agree": "agreed"}):
        raise AlreadyDone("agree", "This decision was already signed off by someone else")
    response = exception_handler(refused.value, {})
    assert response is not None and response.status_code == 409
    assert response.data == {
        "errors": [
            {"field": "agreed", "message": "This decision was already signed off by someone else"}
        ]
    }
