"""Need-to-know inside the MASH (issue 12): a request for information and its answer are
read by the team asked, the MASH's social workers and managers on the case, and those
with their own relationship to the child; not by every MASH partner."""

from __future__ import annotations

import pytest
from django.http import Http404

from tellonce.mash import services
from tellonce.mash.selectors import case_picture, rfi_get_for_user
from tellonce.mash.tests.test_workflow import WEB, dana_tells_the_mash_about_jack, screened

pytestmark = pytest.mark.django_db


def test_the_police_desk_does_not_read_healths_answer_on_a_case_it_was_not_asked_about(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    health = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.health_mash,
        question="Has Jack attended A&E or urgent care in the last year?",
        via=WEB,
    )
    services.rfi_answer(
        user=world.hannah,
        request=health,
        answer="Seen at A&E in March with a fractured wrist; explanation was a fall.",
        via=WEB,
    )
    # Tom is in the MASH and reads the case, but health's answer is not his to read.
    seen = case_picture(user=world.tom, case_id=case.pk, via=WEB)
    assert health not in seen.requests
    with pytest.raises(Http404):
        rfi_get_for_user(user=world.tom, request_id=health.pk, via=WEB)
    page = _page_for(world.tom, case)
    assert "fractured wrist" not in page
    # The team asked, the MASH's social workers and managers, and Dana (whose school
    # works with Jack) may.
    for reader in (world.hannah, world.sam, world.maria, world.dana):
        assert rfi_get_for_user(user=reader, request_id=health.pk, via=WEB) == health
    assert "fractured wrist" in _page_for(world.sam, case)
    # Asked itself, the police desk reads its own request.
    police = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Any police history for the adults at Jack's address?",
        via=WEB,
    )
    assert rfi_get_for_user(user=world.tom, request_id=police.pk, via=WEB) == police


def _page_for(user, case) -> str:
    from django.test import Client

    from tellonce.conftest import sign_in_fully

    return sign_in_fully(Client(), user).get(f"/mash/cases/{case.pk}/").content.decode()
