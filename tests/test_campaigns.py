"""Invitation campaigns: creating, sending in batches, each invitee's state, resend and revoke."""

import datetime
import email
import email.policy
import re
import zoneinfo

import pytest

from portal.db import utcnow
from portal.errors import DomainError
from portal.feedback.models import PulseAnswer
from portal.feedback.operations import start_thread
from portal.mail.models import OutboxMessage
from portal.mail.operations import deliver_due
from portal.plan.models import Benchmark, MonitoringPeriod, Strategy
from portal.stakeholders import campaigns
from portal.stakeholders.models import Campaign, Invitation, Stakeholder, StakeholderGroup, hash_token
from tests.conftest import SHARED_DATA, count_queries

ROSTER = SHARED_DATA / "stakeholder-roster.csv"
# The date in the sample plan's time zone, which the campaign form checks dates against.
TODAY = datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()


@pytest.fixture
def roster(app, plan, runner):
    """The sample roster imported: 26 stakeholders."""
    result = runner.invoke(args=["portal", "import-roster", str(ROSTER)])
    assert result.exit_code == 0, result.output
    assert Stakeholder.select().count() == 26
    return Stakeholder.select()


def campaign_form(plan, **changes):
    period = MonitoringPeriod.get((MonitoringPeriod.plan == plan) & (MonitoringPeriod.key == "2y"))
    form = {
        "name": "Winter check-in",
        "period": str(period.id),
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + datetime.timedelta(days=21)).isoformat(),
        "links_expire_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "scope": "plan",
    }
    form.update(changes)
    return form


def make_campaign(plan, staff, **changes):
    period = MonitoringPeriod.get((MonitoringPeriod.plan == plan) & (MonitoringPeriod.key == "2y"))
    values = {
        "name": "Winter check-in",
        "opens_on": TODAY,
        "closes_on": TODAY + datetime.timedelta(days=21),
        "links_expire_on": TODAY + datetime.timedelta(days=60),
        "strategies": [],
        "group_keys": [],
    }
    values.update(changes)
    return campaigns.create_campaign(
        plan,
        period,
        values["name"],
        values["opens_on"],
        values["closes_on"],
        values["links_expire_on"],
        values["strategies"],
        values["group_keys"],
        staff["admin"],
    )


def test_admin_creates_campaign_page(client, auth, plan, staff):
    auth.sign_in(staff["admin"])
    assert client.get("/campaigns/new").status_code == 200
    response = client.post("/campaigns/new", data=campaign_form(plan, groups=["parent", "teacher"]))
    assert response.status_code == 303
    campaign = Campaign.get()
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert campaign.groups() == ["parent", "teacher"]
    assert campaign.whole_plan
    assert campaign.sent_at is None
    assert OutboxMessage.select().count() == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "  "}, "name", "Give the campaign a name"),
        ({"opens_on": "03/15/2026"}, "opens_on", "Enter the date as YYYY-MM-DD"),
        ({"closes_on": (TODAY - datetime.timedelta(days=1)).isoformat()}, "closes_on", "cannot close before they open"),
        ({"opens_on": "2024-01-01"}, "opens_on", "The plan runs from 2025-08-01 to 2027-07-31"),
        ({"closes_on": "2028-01-01", "links_expire_on": "2028-02-01"}, "closes_on", "Choose a closing date within it"),
        ({"links_expire_on": TODAY.isoformat()}, "links_expire_on", "Links would stop working before comments close"),
        ({"scope": "strategies"}, "strategies", "Tick at least one strategy"),
        ({"period": "99999"}, "period", "Not a valid choice"),
    ],
)
def test_campaign_form_rejects(client, auth, plan, staff, changes, field, message):
    auth.sign_in(staff["admin"])
    earlier = make_campaign(plan, staff, name="Earlier campaign")
    response = client.post("/campaigns/new", data=campaign_form(plan, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-error-1"' in page
    if changes.get("name") != "  ":
        assert "Winter check-in" in page  # typed values stay
    assert [campaign.id for campaign in Campaign.select()] == [earlier.id]


def test_send_queues_batches_once(app, plan, staff, roster):
    app.config["CAMPAIGN_BATCH_SIZE"] = 10
    app.config["CAMPAIGN_BATCH_SECONDS"] = 60
    campaign = make_campaign(plan, staff)
    now = utcnow()
    invited = campaigns.send_campaign(campaign, staff["admin"], now=now)
    assert invited == 26
    messages = list(OutboxMessage.select().where(OutboxMessage.kind == "invitation").order_by(OutboxMessage.id))
    assert len(messages) == 26
    delays = sorted({round((message.next_attempt_at - now).total_seconds()) for message in messages})
    assert delays == [0, 60, 120]
    assert Invitation.select().where(Invitation.campaign == campaign).count() == 26
    assert all(invitation.message_id for invitation in Invitation.select())
    assert campaigns.send_campaign(campaign, staff["admin"]) == 0
    assert OutboxMessage.select().count() == 26


def test_send_reaches_only_chosen_groups(app, plan, staff, roster):
    campaign = make_campaign(plan, staff, group_keys=["parent"])
    parents = Stakeholder.select().join(StakeholderGroup).where(StakeholderGroup.key == "parent").count()
    assert parents > 0
    assert campaigns.send_campaign(campaign, staff["admin"]) == parents


def test_campaign_email_in_spanish_over_smtp(app, plan, staff, roster, smtp_server):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    deliver_due(now=utcnow() + datetime.timedelta(days=1))
    while OutboxMessage.select().where(OutboxMessage.state == "queued").exists():
        deliver_due(now=utcnow() + datetime.timedelta(days=1))
    assert len(smtp_server.messages) == 26
    rosa = next(
        email.message_from_bytes(message.content, policy=email.policy.default)
        for message in smtp_server.messages
        if message.rcpt_tos == ["rosa.alvarez@mail.example.com"]
    )
    assert "comentar" in rosa["Subject"].lower()
    text = rosa.get_body(("plain",)).get_content()
    html = rosa.get_body(("html",)).get_content()
    assert "Two-year benchmark" in text
    assert "¿" in text
    assert "/invitation/" in html
    assert rosa["From"] == app.config["MAIL_DEFAULT_SENDER"]


def test_invitee_states_follow_the_person(app, client, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    first = Invitation.select().where(Invitation.campaign == campaign).order_by(Invitation.id).first()
    assert state_of(first) == "queued"

    OutboxMessage.update(state="sent").where(OutboxMessage.id == first.message_id).execute()
    assert state_of(first) == "sent"
    OutboxMessage.update(state="failed").where(OutboxMessage.id == first.message_id).execute()
    assert state_of(first) == "failed"

    Invitation.update(first_used_at=utcnow()).where(Invitation.id == first.id).execute()
    assert state_of(first) == "opened"

    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    start_thread(first.stakeholder, strategy, None, "What about our school?", "en")
    assert state_of(first) == "commented"


def state_of(invitation):
    fresh = campaigns.invitees(invitation.campaign, utcnow()).where(Invitation.id == invitation.id).get()
    counts = campaigns.state_counts(invitation.campaign, utcnow())
    assert counts[fresh.invitee_state] >= 1
    return fresh.invitee_state


def test_resend_retires_old_link(app, client, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    old = Invitation.select().where(Invitation.campaign == campaign).first()
    new = campaigns.resend_invitation(old, staff["admin"])
    old = Invitation.get_by_id(old.id)
    assert old.state(utcnow()) == "replaced"
    assert new.campaign_id == campaign.id
    assert new.stakeholder_id == old.stakeholder_id
    assert OutboxMessage.get_by_id(old.message_id).state == "cancelled"
    assert OutboxMessage.get_by_id(new.message_id).state == "queued"
    with pytest.raises(DomainError, match="newer link was already sent"):
        campaigns.resend_invitation(old, staff["admin"])


def test_revoke_campaign_stops_every_link(app, client, auth, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    auth.sign_in(staff["admin"])
    refused = client.post(f"/campaigns/{campaign.id}/revoke", data={})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    assert Invitation.select().where(Invitation.revoked_at.is_null(False)).count() == 0

    response = client.post(f"/campaigns/{campaign.id}/revoke", data={"confirm": "y"})
    assert response.status_code == 303
    assert Invitation.select().where(Invitation.revoked_at.is_null()).count() == 0
    assert OutboxMessage.select().where(OutboxMessage.state == "queued").count() == 0
    again = client.post(f"/campaigns/{campaign.id}/send", follow_redirects=True)
    assert "revoked" in again.get_data(as_text=True)
    assert Invitation.select().count() == 26


def test_revoke_one_and_per_stakeholder(app, client, auth, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    first, second = list(Invitation.select().where(Invitation.campaign == campaign).order_by(Invitation.id).limit(2))
    other = make_campaign(plan, staff, name="Second round")
    campaigns.send_campaign(other, staff["admin"])
    auth.sign_in(staff["admin"])

    assert client.post(f"/invitations/{first.id}/revoke").status_code == 303
    assert Invitation.get_by_id(first.id).state(utcnow()) == "revoked"
    assert Invitation.get_by_id(second.id).state(utcnow()) == "valid"

    response = client.post(f"/stakeholders/{second.stakeholder_id}/revoke", data={"campaign": str(campaign.id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    held = Invitation.select().where(Invitation.stakeholder == second.stakeholder_id)
    assert held.count() == 2
    assert all(invitation.revoked_at is not None for invitation in held)


def test_participation_by_group_and_school(app, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    benchmark = Benchmark.select().join_from(Benchmark, Benchmark.indicator.rel_model).where(
        Benchmark.indicator.rel_model.strategy == strategy
    ).first()
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    teacher = Stakeholder.get(Stakeholder.email == "tbrooks@harborcity.example.org")
    start_thread(rosa, strategy, None, "Necesitamos más maestros con experiencia.", "es")
    start_thread(rosa, strategy, None, "Otra cosa.", "es")  # two comments, one participant
    PulseAnswer.create(
        benchmark=benchmark, period=benchmark.period_id, stakeholder=teacher, group=teacher.group_id,
        school=teacher.school, answer="somewhat",
    )
    result = campaigns.participation(campaign)
    assert result["total"] == (26, 2)
    groups = {group.key: (invited, took_part) for group, invited, took_part in result["groups"]}
    parents_invited = Stakeholder.select().join(StakeholderGroup).where(StakeholderGroup.key == "parent").count()
    assert groups["parent"] == (parents_invited, 1)
    assert groups["teacher"][1] == 1
    schools = {school: (invited, took_part) for school, invited, took_part in result["schools"]}
    assert schools["Eastport Elementary"][1] == 2
    assert sum(invited for invited, _took_part in schools.values()) == 26


def test_campaign_page_lists_states_and_filters(app, client, auth, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    first = Invitation.select().where(Invitation.campaign == campaign).first()
    campaigns.revoke_invitation(first, staff["admin"])
    auth.sign_in(staff["leader"])
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Queued: 25" in page
    assert "Revoked: 1" in page
    assert "Revoke every link" not in page  # leaders read, admins act
    filtered = client.get(f"/campaigns/{campaign.id}?state=revoked").get_data(as_text=True)
    assert first.stakeholder.email in filtered
    assert "1 invitation." in filtered
    with count_queries() as small:
        client.get(f"/campaigns/{campaign.id}")
    extra = make_campaign(plan, staff, name="Another")
    for number in range(30):
        Stakeholder.create(email=f"extra{number}@mail.example.com", group=StakeholderGroup.get(StakeholderGroup.key == "parent"))
    campaigns.send_campaign(campaign, staff["admin"])
    with count_queries() as large:
        client.get(f"/campaigns/{campaign.id}")
    assert large.count == small.count
    assert extra.id


def test_comment_window_enforced(app, client, auth, plan, staff, invite):
    campaign = make_campaign(
        plan, staff, opens_on=TODAY + datetime.timedelta(days=3), closes_on=TODAY + datetime.timedelta(days=10)
    )
    rosa = Stakeholder.create(
        email="rosa@mail.example.com", group=StakeholderGroup.get(StakeholderGroup.key == "parent"), language="es"
    )
    campaigns.send_campaign(campaign, staff["admin"])
    invitation = Invitation.get(Invitation.stakeholder == rosa)
    token = "window-test-token"
    Invitation.update(token_hash=hash_token(token)).where(
        Invitation.id == invitation.id
    ).execute()
    assert client.post(f"/invitation/{token}").status_code == 303
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "Los comentarios de esta ronda se abren" in page
    response = client.post("/strategies/novice-mentoring/comments", data={"body": "Hola", "language": "es", "benchmark": ""})
    assert response.status_code == 422
    assert "se abren" in response.get_data(as_text=True)
    assert rosa.threads.count() == 0


def test_links_work_to_end_of_district_day(app, plan, staff, roster):
    expiry = datetime.date(2027, 3, 14)  # the day US clocks spring forward
    campaign = make_campaign(plan, staff, links_expire_on=expiry)
    campaigns.send_campaign(campaign, staff["admin"])
    invitation = Invitation.select().where(Invitation.campaign == campaign).first()
    # Midnight starting March 15 in New York is 04:00 UTC, daylight time having begun.
    assert invitation.expires_at == datetime.datetime(2027, 3, 15, 4, 0)
    body = OutboxMessage.get_by_id(invitation.message_id).body_text
    assert "March 14, 2027" in body or "14 de marzo de 2027" in body


def test_scoped_campaign_limits_links(app, client, plan, staff, roster):
    prep = Strategy.get(Strategy.key == "prep-partnerships")
    campaign = make_campaign(plan, staff, strategies=[prep])
    campaigns.send_campaign(campaign, staff["admin"])
    invitation = Invitation.select().where(Invitation.campaign == campaign).first()
    assert invitation.strategy_ids() == {prep.id}
    token = "scoped-campaign-token"
    Invitation.update(token_hash=hash_token(token)).where(Invitation.id == invitation.id).execute()
    assert client.post(f"/invitation/{token}").status_code == 303
    assert client.get("/strategies/prep-partnerships").status_code == 200
    assert client.get("/strategies/novice-mentoring").status_code == 403


def test_each_email_carries_its_own_link(app, plan, staff, roster):
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    links = set()
    for message in OutboxMessage.select():
        text_links = re.findall(r"/invitation/([A-Za-z0-9_-]+)", message.body_text)
        html_links = re.findall(r"/invitation/([A-Za-z0-9_-]+)", message.body_html)
        assert len(text_links) == 1
        assert html_links == text_links
        links.add(text_links[0])
        invitation = Invitation.get(Invitation.message == message.id)
        assert invitation.token_hash == hash_token(text_links[0])
        assert invitation.stakeholder.email == message.recipient
    assert len(links) == 26
    assert campaigns.LINK_PLACEHOLDER not in "".join(m.body_text + m.body_html for m in OutboxMessage.select())


def test_input_before_link_not_counted(app, plan, staff, roster):
    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    start_thread(rosa, strategy, None, "Written with an older link.", "es")
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    assert campaigns.participation(campaign)["total"] == (26, 0)
    invitation = Invitation.get((Invitation.campaign == campaign) & (Invitation.stakeholder == rosa))
    assert state_of(invitation) == "queued"

    start_thread(rosa, strategy, None, "Written after the campaign's link.", "es")
    assert campaigns.participation(campaign)["total"] == (26, 1)
    assert state_of(invitation) == "commented"


def test_invitee_pages_with_htmx(app, client, auth, staff, plan):
    parents = StakeholderGroup.get(StakeholderGroup.key == "parent")
    for number in range(60):
        Stakeholder.create(email=f"parent{number}@mail.example.com", group=parents)
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    auth.sign_in(staff["admin"])

    first = client.get(f"/campaigns/{campaign.id}", headers={"HX-Request": "true"})
    second = client.get(f"/campaigns/{campaign.id}?page=2", headers={"HX-Request": "true"})

    assert first.status_code == 200
    assert "<html" not in first.get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}?page=2"' in first.get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}?page=1"' in second.get_data(as_text=True)
