"""Jack, in care, goes missing from his placement. Eddie on the emergency duty team
reports it; the police MASH desk has it at once and Tom acknowledges it (or nobody does,
and Sergeant Sue is told after an hour). Jack comes back at 17:00 on Christmas Eve; Rita,
independent of his care, has 72 hours to offer the interview, is warned a day before,
and the written interview reaches Tom's desk and Cara, Jack's social worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.missing import selectors, services
from tellonce.missing.models import (
    FlagReason,
    InterviewState,
    MissingEpisode,
    MissingPatternFlag,
)
from tellonce.missing.services import EpisodeDetails, InterviewDetails

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)  # type: ignore[misc]


def seen(last_seen_at: datetime | None, **changes) -> EpisodeDetails:
    base = dict(
        last_seen_at=last_seen_at,
        last_seen_where="Rosewood children's home, 12 Elm Road, Northbrook",
        circumstances=(
            "Jack left the home after an argument with staff at tea time. Wearing a red"
            " hoodie and grey joggers. Has talked about older friends at the station."
        ),
        risk="high",
        reporter_name="Eddie Moss",
        reporter_role="Emergency duty social worker",
        reporter_phone="07700 900123",
    )
    base.update(changes)
    return EpisodeDetails(**base)  # type: ignore[arg-type]


def said(**changes) -> InterviewDetails:
    base = dict(
        why_left="He was angry after being told he could not see his mum at the weekend.",
        where_went="Northbrook station, then a flat in Canal Street.",
        with_whom="Two older boys he knows as 'Dee' and 'K'.",
        risks="Out overnight with older males; given cannabis.",
        push_factors="Arguments with staff; missing his mum.",
        pull_factors="The older boys give him money and attention.",
        child_said="They're my mates, they look after me.",
    )
    base.update(changes)
    return InterviewDetails(**base)  # type: ignore[arg-type]


def report(world, missing, when: datetime, **changes):
    return services.episode_report(
        user=missing.eddie, person=world.jack, details=seen(when, **changes), via=WEB
    )


def alerts(kind: str, **where) -> list[Alert]:
    return list(Alert.objects.filter(kind=kind, **where))


def test_the_police_desk_has_eddies_report_at_once_with_all_it_needs(world, missing):
    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 20, 18, 30))

    assert episode.police_team == world.police_mash
    assert episode.police_notified_on == at(2026, 12, 20, 21, 0)
    assert not episode.reported_by_police
    (alert,) = alerts(AlertKind.MISSING_REPORTED, team=world.police_mash)
    for fact in (
        "Jack Taylor",
        "20 December 2026, 18:30",
        "Rosewood children's home",
        "Risk: High",
        "red hoodie",
        "07700 900123",
        "Eddie Moss",
        "Cara Bell, Children in care team",
    ):
        assert fact in alert.body
    assert alert.link == f"/missing/episodes/{episode.pk}/"
    # Cara, Jack's social worker, and Dana at his school are told too.
    told = {a.team_id: a.user_id for a in alerts(AlertKind.MISSING_REPORTED)}
    assert told[missing.in_care.pk] == missing.cara.pk
    assert told[world.oakfield_dsl.pk] == world.dana.pk
    assert missing.edt.pk not in told
    assert list(selectors.police_inbox(user=world.tom)) == [episode]


def test_tom_acknowledges_and_the_chronology_shows_it(world, missing):
    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 20, 18, 30))
    with time_machine.travel(at(2026, 12, 20, 21, 10), tick=False):
        services.police_acknowledge(user=world.tom, episode=episode, via=WEB)
        services.police_acknowledge(user=world.tom, episode=episode, via=WEB)
    episode.refresh_from_db()
    assert episode.police_acknowledged_on == at(2026, 12, 20, 21, 10)
    assert episode.police_acknowledged_by == world.tom
    summaries = list(
        ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.MISSING).values_list(
            "summary", flat=True
        )
    )
    assert len(summaries) == 3  # reported, police told, acknowledged
    assert any("Tom Price" in s and "acknowledged" in s for s in summaries)
    with time_machine.travel(at(2026, 12, 20, 23, 0), tick=False):
        assert services.missing_clock_tick().police_escalated == 0
    with pytest.raises(PermissionDenied):
        services.police_acknowledge(user=world.olly, episode=episode, via=WEB)


def test_an_acknowledgement_that_never_comes_reaches_the_supervisor_once(world, missing):
    with time_machine.travel(at(2026, 12, 31, 23, 30), tick=False):
        episode = report(world, missing, at(2026, 12, 31, 22, 0))
    with time_machine.travel(at(2027, 1, 1, 0, 29), tick=False):
        assert services.missing_clock_tick().police_escalated == 0
    assert not alerts(AlertKind.MISSING_UNACKNOWLEDGED)
    with time_machine.travel(at(2027, 1, 1, 0, 30), tick=False):
        assert services.missing_clock_tick().police_escalated == 1
        assert services.missing_clock_tick().police_escalated == 0
    with time_machine.travel(at(2027, 1, 1, 3, 0), tick=False):
        assert services.missing_clock_tick().police_escalated == 0
    (to_sue,) = alerts(AlertKind.MISSING_UNACKNOWLEDGED, user=missing.sue)
    assert "Jack Taylor" in to_sue.title and "60 minutes" in to_sue.body
    assert alerts(AlertKind.MISSING_UNACKNOWLEDGED, team=missing.edt, user=missing.eddie)
    assert not alerts(AlertKind.MISSING_UNACKNOWLEDGED, user=world.tom)
    episode.refresh_from_db()
    assert episode.police_escalated_on == at(2027, 1, 1, 0, 30)


def test_when_the_police_report_it_the_social_worker_and_others_are_told(world, missing):
    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        episode = services.episode_report(
            user=world.tom,
            person=world.jack,
            details=seen(at(2026, 12, 20, 19, 0), police_ref="NB-2026-1234"),
            via=WEB,
        )
    assert episode.reported_by_police
    assert episode.police_acknowledged_on is not None
    assert not alerts(AlertKind.MISSING_REPORTED, team=world.police_mash)
    told = {a.team_id for a in alerts(AlertKind.MISSING_REPORTED)}
    assert told == {missing.in_care.pk, world.oakfield_dsl.pk}
    with time_machine.travel(at(2026, 12, 21, 9, 0), tick=False):
        assert services.missing_clock_tick().police_escalated == 0


def test_home_at_five_on_christmas_eve_the_interview_is_due_three_days_later(world, missing):
    with time_machine.travel(at(2026, 12, 24, 9, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 24, 7, 0))
    with time_machine.travel(at(2026, 12, 24, 17, 20), tick=False):
        interview = services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=at(2026, 12, 24, 17, 0),
            details="Brought back to Rosewood by the police from Northbrook station.",
            via=WEB,
        )
    assert interview.due_on == at(2026, 12, 27, 17, 0)
    assert interview.assigned_team == missing.interviews
    assert interview.assigned_team != missing.in_care
    (assigned,) = alerts(AlertKind.RHI_ASSIGNED)
    assert assigned.team == missing.interviews and "27 December 2026, 17:00" in assigned.title
    returned = {a.team_id for a in alerts(AlertKind.MISSING_RETURNED)}
    assert {world.police_mash.pk, missing.in_care.pk} <= returned
    assert list(selectors.interview_worklist(user=missing.rita)) == [interview]

    with time_machine.travel(at(2026, 12, 26, 16, 59), tick=False):
        assert services.missing_clock_tick().interviews_warned == 0
    with time_machine.travel(at(2026, 12, 26, 17, 0), tick=False):
        assert services.missing_clock_tick().interviews_warned == 1
    with time_machine.travel(at(2026, 12, 27, 12, 0), tick=False):
        assert services.missing_clock_tick().interviews_warned == 0
    warned = alerts(AlertKind.RHI_DUE)
    assert {a.team_id for a in warned} == {missing.interviews.pk}
    assert {a.user_id for a in warned} == {None, missing.rob.pk}
    assert "24 hours" in warned[0].title
    # Nothing recorded by the deadline: Rob and the MASH's managers are told, once.
    with time_machine.travel(at(2026, 12, 27, 16, 59), tick=False):
        assert services.missing_clock_tick().interviews_overdue == 0
    with time_machine.travel(at(2026, 12, 27, 17, 0), tick=False):
        assert services.missing_clock_tick().interviews_overdue == 1
        assert services.missing_clock_tick().interviews_overdue == 0
    overdue = [a for a in alerts(AlertKind.RHI_DUE) if a.title.startswith("Overdue")]
    assert {a.user_id for a in overdue} == {missing.rob.pk, world.maria.pk}


def test_no_one_on_the_childs_care_may_do_the_interview(world, missing):
    with time_machine.travel(at(2026, 12, 24, 9, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 24, 7, 0))
        interview = services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=at(2026, 12, 24, 8, 0),
            details="Came back by himself.",
            via=WEB,
        )
        with pytest.raises(ValidationError) as caught:
            services.interview_assign(
                user=missing.rob,
                interview=interview,
                team=missing.in_care,
                assigned_to=missing.cara,
                via=WEB,
            )
        assert set(caught.value.message_dict) == {"team", "assigned_to"}
        with pytest.raises(PermissionDenied):
            services.interview_assign(
                user=missing.rita,
                interview=interview,
                team=missing.interviews,
                assigned_to=missing.rita,
                via=WEB,
            )
        services.interview_assign(
            user=missing.rob,
            interview=interview,
            team=missing.interviews,
            assigned_to=missing.rita,
            via=WEB,
        )
    assert alerts(AlertKind.RHI_ASSIGNED, user=missing.rita)
    with pytest.raises(PermissionDenied):
        services.interview_complete(user=missing.cara, interview=interview, details=said(), via=WEB)


def test_the_written_interview_reaches_the_police_and_the_social_worker(world, missing):
    with time_machine.travel(at(2026, 12, 24, 9, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 24, 7, 0))
    with time_machine.travel(at(2026, 12, 24, 17, 20), tick=False):
        interview = services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=at(2026, 12, 24, 17, 0),
            details="Brought back by the police.",
            via=WEB,
        )
    with time_machine.travel(at(2026, 12, 26, 11, 0), tick=False):
        services.interview_complete(
            user=missing.rita, interview=interview, details=said(cce_indicators=True), via=WEB
        )
    interview.refresh_from_db()
    assert interview.state == InterviewState.COMPLETED
    assert interview.offered_on == at(2026, 12, 26, 11, 0)
    assert interview.shared_with_police_on == at(2026, 12, 26, 11, 0)
    assert interview.shared_with_social_worker_on == at(2026, 12, 26, 11, 0)
    shared = {a.team_id: a for a in alerts(AlertKind.RHI_SHARED)}
    assert set(shared) == {world.police_mash.pk, missing.in_care.pk}
    assert "They're my mates" in shared[world.police_mash.pk].body
    assert shared[missing.in_care.pk].user == missing.cara
    # Tom and Cara can open it; Erin, who has nothing to do with Jack, cannot.
    for reader in (world.tom, missing.cara, missing.rita):
        assert selectors.episode_get_for_user(user=reader, episode_id=episode.pk)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.episode_get_for_user(user=world.erin, episode_id=episode.pk)
    # Criminal exploitation: Jack is flagged and the MASH prompted.
    (flag,) = MissingPatternFlag.objects.filter(person=world.jack)
    assert flag.reason == FlagReason.EXPLOITATION
    assert "24A" in flag.detail
    assert alerts(AlertKind.MISSING_PATTERN, team=world.mash)
    kinds = set(ChronologyEvent.objects.filter(person=world.jack).values_list("kind", flat=True))
    assert {EventKind.MISSING, EventKind.MISSING_RETURN, EventKind.RETURN_INTERVIEW} <= kinds
    # Nothing more to warn of.
    with time_machine.travel(at(2026, 12, 27, 0, 0), tick=False):
        assert services.missing_clock_tick().interviews_warned == 0


def test_a_refusal_is_recorded_with_the_reason(world, missing):
    with time_machine.travel(at(2026, 12, 24, 9, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 24, 7, 0))
        interview = services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=at(2026, 12, 24, 8, 0),
            details="Came back by himself.",
            via=WEB,
        )
        with pytest.raises(ValidationError) as caught:
            services.interview_refuse(user=missing.rita, interview=interview, reason=" ", via=WEB)
        assert set(caught.value.message_dict) == {"refused_reason"}
        services.interview_refuse(
            user=missing.rita,
            interview=interview,
            reason="Jack said he did not want to talk to anyone from the council.",
            via=WEB,
        )
    interview.refresh_from_db()
    assert interview.state == InterviewState.REFUSED
    assert "did not want to talk" in interview.refused_reason
    assert {a.team_id for a in alerts(AlertKind.RHI_SHARED)} == {
        world.police_mash.pk,
        missing.in_care.pk,
    }
    assert ChronologyEvent.objects.filter(
        person=world.jack, kind=EventKind.RETURN_INTERVIEW, summary__contains="refused"
    ).exists()
    with pytest.raises(ValidationError):
        services.interview_complete(user=missing.rita, interview=interview, details=said(), via=WEB)


def test_three_episodes_in_90_days_flag_jack_and_prompt_the_mash(world, missing, signed_in):
    for day in (1, 20):
        with time_machine.travel(at(2026, 10, day, 22, 0), tick=False):
            report(world, missing, at(2026, 10, day, 20, 0))
    assert not MissingPatternFlag.objects.exists()
    with time_machine.travel(at(2026, 12, 20, 22, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 20, 20, 0))
    (flag,) = MissingPatternFlag.objects.filter(person=world.jack)
    assert flag.reason == FlagReason.REPEATED and flag.episode == episode
    assert "3 times" in flag.detail
    (prompt,) = alerts(AlertKind.MISSING_PATTERN, team=world.mash)
    assert "strategy discussion" in prompt.body
    assert alerts(AlertKind.MISSING_PATTERN, team=missing.in_care, user=missing.cara)
    assert selectors.flags_for(user=missing.cara, person=world.jack) == [flag]
    assert selectors.flags_for(user=world.erin, person=world.jack) == []

    # Cara's manager reviews the flag after the strategy discussion and takes it down.
    from tellonce.organisations.models import Role
    from tellonce.testing.world import practitioner_make

    carl = practitioner_make(
        "carl", "Carl", "Ndlovu", missing.in_care, Role.PRACTITIONER, is_manager=True
    )
    with pytest.raises(PermissionDenied):
        services.flag_review(user=missing.cara, flag=flag, reason="Not a manager at all", via=WEB)
    with pytest.raises(ValidationError):
        services.flag_review(user=carl, flag=flag, reason="done", via=WEB)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(carl)
    vague = api.post(f"/api/v1/missing-flags/{flag.pk}/review/", {"reason": "ok"}, format="json")
    assert (vague.status_code, vague.json()["errors"][0]["field"]) == (400, "reason")
    outsider = APIClient()
    outsider.force_authenticate(world.erin)
    assert outsider.post(f"/api/v1/missing-flags/{flag.pk}/review/", {}).status_code == 404
    record = signed_in(carl).get(f"/people/{world.jack.pk}/").content.decode()
    assert "Review and take down this flag" in record
    response = signed_in(carl).post(
        f"/missing/flags/{flag.pk}/review/",
        {"reason": "Strategy discussion held on 21 December: safety plan agreed with Jack."},
    )
    assert response.status_code == 302
    assert selectors.flags_for(user=missing.cara, person=world.jack) == []
    taken_down = MissingPatternFlag.all_objects.get(pk=flag.pk)
    assert (taken_down.archived_by, taken_down.archive_reason[:28]) == (
        carl,
        "Strategy discussion held on ",
    )


def test_two_episodes_91_days_apart_and_one_more_do_not_flag(world, missing):
    for when in (at(2026, 9, 1, 20, 0), at(2026, 12, 1, 20, 0), at(2026, 12, 2, 20, 0)):
        with time_machine.travel(when + timedelta(hours=1), tick=False):
            report(world, missing, when)
    assert not MissingPatternFlag.objects.exists()


def test_bad_reports_name_each_field(world, missing):
    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        with pytest.raises(ValidationError) as caught:
            report(
                world,
                missing,
                at(2026, 12, 20, 22, 0),
                risk="",
                circumstances="gone",
                reporter_phone="",
            )
        assert set(caught.value.message_dict) == {
            "last_seen_at",
            "risk",
            "circumstances",
            "reporter_phone",
        }
        assert "in the past" in caught.value.message_dict["last_seen_at"][0]
        with pytest.raises(ValidationError) as caught:
            report(world, missing, None)
        assert "last_seen_at" in caught.value.message_dict
        episode = report(world, missing, at(2026, 12, 20, 18, 0))
        with pytest.raises(ValidationError) as caught:
            services.episode_return(
                user=missing.eddie,
                episode=episode,
                returned_on=at(2026, 12, 20, 17, 0),
                details="",
                via=WEB,
            )
        assert set(caught.value.message_dict) == {"returned_on", "return_details"}
    with pytest.raises(PermissionDenied):
        services.episode_report(
            user=world.ana, person=world.jack, details=seen(at(2026, 12, 20, 18, 0)), via=WEB
        )


def test_the_figures_count_without_names(world, missing):
    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        first = report(world, missing, at(2026, 12, 20, 18, 0))
        services.episode_report(
            user=world.tom, person=world.amir, details=seen(at(2026, 12, 20, 19, 0)), via=WEB
        )
        first_rhi = services.episode_return(
            user=missing.eddie,
            episode=first,
            returned_on=at(2026, 12, 20, 20, 0),
            details="Came back.",
            via=WEB,
        )
    with time_machine.travel(at(2026, 12, 22, 10, 0), tick=False):
        services.interview_complete(user=missing.rita, interview=first_rhi, details=said(), via=WEB)
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        figures = selectors.missing_figures(user=world.ana, since=at(2026, 12, 1))
        with pytest.raises(PermissionDenied):
            selectors.missing_figures(user=world.tom)
    assert figures.episodes == 2
    assert figures.notified_to_police == 2 and figures.notified_share == 100.0
    assert figures.returns == 1
    assert figures.offered_within_72_hours == 1 and figures.offered_in_time_share == 100.0
    assert figures.interviews_completed == 1 and figures.shared_with_police_share == 100.0
    assert "Jack" not in str(figures.as_dict())
    assert timezone.is_aware(figures.since)


def test_an_episode_recorded_in_error_is_withdrawn_with_a_reason_not_deleted(
    world, missing, signed_in
):
    from rest_framework.test import APIClient

    with time_machine.travel(at(2026, 12, 20, 21, 0), tick=False):
        episode = report(world, missing, at(2026, 12, 20, 18, 30))
        with pytest.raises(PermissionDenied):
            services.episode_archive(
                user=world.olly, episode=episode, reason="Not ours to withdraw", via=WEB
            )
        with pytest.raises(ValidationError) as vague:
            services.episode_archive(user=missing.eddie, episode=episode, reason="oops", via=WEB)
        assert "recorded in error" in vague.value.message_dict["reason"][0]
        api = APIClient()
        api.force_authenticate(missing.eddie)
        refused = api.post(
            f"/api/v1/missing-episodes/{episode.pk}/withdraw/", {"reason": "x"}, format="json"
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "reason"
        eddie = signed_in(missing.eddie)
        page = f"/missing/episodes/{episode.pk}/withdraw/"
        response = eddie.post(page, {"reason": "Wrong child: it was his cousin Jake, not Jack."})
        assert response.status_code == 302
    episode = MissingEpisode.all_objects.get(pk=episode.pk)
    assert episode.archived_by == missing.eddie
    assert episode.archive_reason == "Wrong child: it was his cousin Jake, not Jack."
    assert not MissingEpisode.objects.filter(pk=episode.pk).exists()
    assert not ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.MISSING).exists()
    assert list(selectors.police_inbox(user=world.tom)) == []
    with time_machine.travel(at(2026, 12, 20, 23, 0), tick=False):
        assert services.missing_clock_tick().police_escalated == 0
