"""Each practitioner's home page leads to their part of the protocols that must never
miss: the police desk to missing children, schools to Operation Encompass."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_each_practitioner_finds_their_protocols_on_their_home_page(world, signed_in, client):
    tom = signed_in(world.tom).get("/").content.decode()
    assert 'href="/missing/police/">Missing children</a></h2>' in tom
    assert "0 not acknowledged" in tom
    assert 'href="/encompass/incidents/new/">Record a domestic abuse incident</a>' in tom
    client.logout()
    dana = signed_in(world.dana).get("/").content.decode()
    assert 'href="/encompass/">Operation Encompass notifications</a></h2>' in dana
    assert "0 to acknowledge" in dana
    assert "/missing/police/" not in dana
    client.logout()
    ana = signed_in(world.ana).get("/").content.decode()
    assert 'href="/encompass/coverage/">Operation Encompass coverage</a>' in ana
    assert 'href="/missing/figures/">Missing children: figures</a>' in ana
