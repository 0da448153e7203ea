"""The roster page: finding stakeholders, and taking one off the roster or putting them back."""

import html

import pytest

from portal.errors import DomainError
from portal.feedback.models import Comment
from portal.feedback.operations import start_thread
from portal.plan.models import Strategy
from portal.stakeholders import campaigns
from portal.stakeholders.models import Invitation, Stakeholder, StakeholderGroup
from portal.stakeholders.operations import invite_stakeholder, send_new_link
from portal.stakeholders.roster import import_roster
from tests.test_campaigns import make_campaign
from tests.test_roster import SAMPLE_ROSTER, SAMPLE_TAKEN


@pytest.fixture
def roster_admin(auth, staff, plan):
    import_roster(str(SAMPLE_ROSTER), actor="test")
    auth.sign_in(staff["admin"])
    return auth.client


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def test_roster_lists_and_finds_people(roster_admin):
    everyone = text_of(roster_admin.get("/roster"))
    found = text_of(roster_admin.get("/roster?q=ALVAREZ"))
    parents = text_of(roster_admin.get("/roster?group=parent"))

    assert f"{SAMPLE_TAKEN} stakeholders" in everyone
    assert "1 stakeholder<" in found
    assert "rosa.alvarez@mail.example.com" in found
    parent_count = Stakeholder.select().join(StakeholderGroup).where(StakeholderGroup.key == "parent").count()
    assert parent_count > 1
    assert f"{parent_count} stakeholders" in parents


@pytest.mark.parametrize(
    "query, message",
    [
        ("group=wizard", "'wizard' is not a stakeholder group. Choose a group from the list, or all groups."),
        ("state=gone", "'gone' is not a roster state. Choose on the roster, taken off the roster, or everyone."),
        ("page=-2", "'-2' is not a page number. Use a whole number from 1."),
    ],
)
def test_roster_rejects_bad_filters(roster_admin, query, message):
    response = roster_admin.get(f"/roster?{query}")

    assert response.status_code == 422
    text = text_of(response)
    assert message in text
    assert "Some filters were not valid" in text
    assert f"{SAMPLE_TAKEN} stakeholders" in text


def test_remove_revokes_and_keeps_comments(roster_admin, plan, staff):
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    invitation, _token = invite_stakeholder(plan, rosa.email, "parent", "test", language="es")
    start_thread(rosa, Strategy.get(Strategy.key == "novice-mentoring"), None, "Necesitamos mentores.", "es")

    confirmation = text_of(roster_admin.get(f"/roster/{rosa.id}/remove"))
    assert "Take rosa.alvarez@mail.example.com off the roster?" in confirmation
    assert "Their 1 link stops working at once" in confirmation
    assert "Their 1 conversation stays" in confirmation
    assert Stakeholder.get_by_id(rosa.id).removed_at is None

    response = roster_admin.post(f"/roster/{rosa.id}/remove")

    assert response.status_code == 303
    assert Stakeholder.get_by_id(rosa.id).removed_at is not None
    assert Invitation.get_by_id(invitation.id).revoked_at is not None
    assert Comment.select().where(Comment.stakeholder == rosa).count() == 1
    flashed = text_of(roster_admin.get("/roster"))
    assert "rosa.alvarez@mail.example.com is off the roster, and 1 link of theirs stopped working." in flashed
    listed = text_of(roster_admin.get("/roster"))
    assert "rosa.alvarez@mail.example.com" not in listed
    assert f"{SAMPLE_TAKEN - 1} stakeholders" in listed
    assert "rosa.alvarez@mail.example.com" in text_of(roster_admin.get("/roster?state=removed"))


def test_removed_person_not_invited(roster_admin, plan, staff):
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    invite_stakeholder(plan, rosa.email, "parent", "test")
    roster_admin.post(f"/roster/{rosa.id}/remove")
    campaign = make_campaign(plan, staff)

    invited = campaigns.send_campaign(campaign, staff["admin"])

    assert invited == SAMPLE_TAKEN - 1
    assert not Invitation.select().where((Invitation.campaign == campaign) & (Invitation.stakeholder == rosa)).exists()
    assert send_new_link(rosa.email) is False
    with pytest.raises(DomainError, match="was taken off the roster; put them back on the roster page"):
        invite_stakeholder(plan, rosa.email, "parent", "test")
    # Importing the roster again leaves her off.
    import_roster(str(SAMPLE_ROSTER), actor="test")
    assert Stakeholder.get_by_id(rosa.id).removed_at is not None


def test_put_back_on_roster_is_invited_again(roster_admin, plan, staff):
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    roster_admin.post(f"/roster/{rosa.id}/remove")

    response = roster_admin.post(f"/roster/{rosa.id}/restore")

    assert response.status_code == 303
    assert Stakeholder.get_by_id(rosa.id).removed_at is None
    assert "To send them a link now, send a current campaign again" in text_of(roster_admin.get("/roster"))
    campaign = make_campaign(plan, staff)
    assert campaigns.send_campaign(campaign, staff["admin"]) == SAMPLE_TAKEN


def test_removing_twice_changes_nothing(roster_admin):
    rosa = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    roster_admin.post(f"/roster/{rosa.id}/remove")
    first = Stakeholder.get_by_id(rosa.id).removed_at

    again = roster_admin.post(f"/roster/{rosa.id}/remove", follow_redirects=True)

    assert "is already off the roster" in text_of(again)
    assert Stakeholder.get_by_id(rosa.id).removed_at == first


def test_unknown_stakeholder_not_found(roster_admin):
    assert roster_admin.get("/roster/99999/remove").status_code == 404
    assert roster_admin.post("/roster/99999/restore").status_code == 404


def test_roster_search_takes_wildcards_literally(roster_admin):
    assert "Nobody matches." in text_of(roster_admin.get("/roster?q=%25"))
    assert "Nobody matches." in text_of(roster_admin.get("/roster?q=_"))


def test_roster_search_skips_names_hidden_from_staff(roster_admin):
    student = Stakeholder.select().join(StakeholderGroup).where(StakeholderGroup.anonymous == True).first()  # noqa: E712
    student.name = "Quentin Zephyrine"
    student.save()
    parent = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    parent.name = "Rosa Zephyrine"
    parent.show_name_to_staff = False
    parent.save()

    found = text_of(roster_admin.get("/roster?q=zephyrine"))

    assert "Nobody matches." in found
    assert student.email in text_of(roster_admin.get(f"/roster?q={student.email[:6]}"))
