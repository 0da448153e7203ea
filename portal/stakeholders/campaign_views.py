"""Staff pages for invitation campaigns: create, send, follow each invitee, resend and revoke."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.guards import staff_required
from portal.db import utcnow
from portal.errors import DomainError
from portal.plan.models import MonitoringPeriod, Plan, Strategy
from portal.plan.status import plan_today
from portal.stakeholders import campaigns
from portal.stakeholders.campaign_forms import CampaignForm, InviteeFilterForm, RevokeCampaignForm
from portal.stakeholders.models import Campaign, Invitation, Stakeholder, StakeholderGroup
from portal.web import render_page_or_block

bp = Blueprint("campaigns", __name__)

INVITEES_PAGE_SIZE = 50


def staff_user():
    return current_user._get_current_object()


def current_plan():
    plan = Plan.current()
    if plan is None:
        abort(404)
    return plan


def load_campaign(campaign_id):
    campaign = Campaign.get_or_none(Campaign.id == campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campaigns")
@staff_required("admin", "leader")
def campaign_list():
    """List the plan's campaigns with how many each invited and heard from."""
    plan = current_plan()
    rows = []
    for campaign in Campaign.select(Campaign, MonitoringPeriod).join(MonitoringPeriod).where(
        Campaign.plan == plan
    ).order_by(Campaign.created_at.desc()):
        rows.append((campaign, campaigns.participation(campaign)["total"]))
    return render_template("stakeholders/campaigns.html", plan=plan, rows=rows)


def campaign_form(plan):
    """Return the new-campaign form with the plan's periods, strategies and groups to choose from."""
    form = CampaignForm(plan, plan_today(plan))
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    form.period.choices = [(period.id, f"{period.label} ({period.starts_on} to {period.ends_on})") for period in periods]
    strategies = Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position)
    form.strategies.choices = [(strategy.id, strategy.name) for strategy in strategies]
    groups = StakeholderGroup.select().order_by(StakeholderGroup.position)
    form.groups.choices = [(group.key, group.plural_label) for group in groups]
    return form


@bp.route("/campaigns/new", methods=["GET", "POST"])
@staff_required("admin")
def new_campaign():
    """Show the new-campaign form and save the campaign (sending is a separate step)."""
    plan = current_plan()
    form = campaign_form(plan)
    if request.method == "GET":
        open_period = MonitoringPeriod.get_or_none((MonitoringPeriod.plan == plan) & (MonitoringPeriod.state == "open"))
        if open_period is not None:
            form.period.data = open_period.id
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_page_or_block("stakeholders/campaign_new.html", "form", status=status, plan=plan, form=form)

    period = MonitoringPeriod.get_by_id(form.period.data)
    strategies = []
    if form.scope.data == "strategies":
        strategies = list(Strategy.select().where(Strategy.id.in_(form.strategies.data)))
    campaign = campaigns.create_campaign(
        plan,
        period,
        form.name.data.strip(),
        form.opens_on.data,
        form.closes_on.data,
        form.links_expire_on.data,
        strategies,
        form.groups.data or [],
        staff_user(),
    )
    flash("Campaign saved. Check the audience below, then send the invitations.", "success")
    target = url_for("campaigns.campaign", campaign_id=campaign.id)
    if request.headers.get("HX-Request") == "true":
        # A redirect would be followed by htmx and swapped into the form, so the browser is sent on.
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


@bp.route("/campaigns/<int:campaign_id>")
@staff_required("admin", "leader")
def campaign(campaign_id):
    """Show a campaign: its audience, each invitee's state, and participation by group and school."""
    return render_campaign(load_campaign(campaign_id))


def render_campaign(campaign, status=200, revoke_form=None):
    now = utcnow()
    filters = InviteeFilterForm(request.args)
    chosen_state = filters.state.data if filters.validate() else ""
    counts = campaigns.state_counts(campaign, now)
    total_listed = counts[chosen_state] if chosen_state else sum(counts.values())
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    pages = max(1, -(-total_listed // INVITEES_PAGE_SIZE))
    invitations = list(campaigns.invitees(campaign, now, chosen_state).paginate(page, INVITEES_PAGE_SIZE))
    return render_page_or_block(
        "stakeholders/campaign.html",
        "invitees",
        status=status,
        campaign=campaign,
        strategies=[link.strategy for link in campaign.scoped_strategies],
        waiting=campaigns.not_yet_invited(campaign).count(),
        audience_size=campaigns.audience(campaign).count(),
        counts=counts,
        invitations=invitations,
        total_listed=total_listed,
        page=page,
        pages=pages,
        filters=filters,
        participation=campaigns.participation(campaign),
        revoke_form=revoke_form or RevokeCampaignForm(formdata=None),
        can_act=current_user.role == "admin",
    )


@bp.route("/campaigns/<int:campaign_id>/send", methods=["POST"])
@staff_required("admin")
def send_campaign(campaign_id):
    """Issue invitations to everyone in the audience not yet invited, through the outbox."""
    campaign = load_campaign(campaign_id)
    try:
        invited = campaigns.send_campaign(campaign, staff_user())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("campaigns.campaign", campaign_id=campaign.id), code=303)
    if invited:
        queued = "1 invitation" if invited == 1 else f"{invited} invitations"
        flash(f"{queued} queued in the outbox. The mail worker sends them in batches.", "success")
    else:
        flash("Everyone in the audience already has a link from this campaign; nothing was sent.", "info")
    return redirect(url_for("campaigns.campaign", campaign_id=campaign.id), code=303)


@bp.route("/campaigns/<int:campaign_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke_campaign(campaign_id):
    """Revoke every link of the campaign, after a confirmation tick."""
    campaign = load_campaign(campaign_id)
    form = RevokeCampaignForm()
    if not form.validate_on_submit():
        return render_campaign(campaign, status=422, revoke_form=form)
    revoked = campaigns.revoke_campaign(campaign, staff_user())
    flash(f"Campaign revoked: {revoked} links no longer work, and unsent invitations were cancelled.", "success")
    return redirect(url_for("campaigns.campaign", campaign_id=campaign.id), code=303)


def back_to_campaign_of(invitation):
    if invitation.campaign_id:
        return redirect(url_for("campaigns.campaign", campaign_id=invitation.campaign_id), code=303)
    return redirect(url_for("campaigns.campaign_list"), code=303)


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@staff_required("admin")
def resend_invitation(invitation_id):
    """Email a new link and retire the old one."""
    invitation = Invitation.get_or_none(Invitation.id == invitation_id) or abort(404)
    try:
        campaigns.resend_invitation(invitation, staff_user())
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(f"A new link was queued for {invitation.stakeholder.email}; the old link no longer works.", "success")
    return back_to_campaign_of(invitation)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke_invitation(invitation_id):
    """Stop one link from working."""
    invitation = Invitation.get_or_none(Invitation.id == invitation_id) or abort(404)
    if campaigns.revoke_invitation(invitation, staff_user()):
        flash(f"The link sent to {invitation.stakeholder.email} no longer works.", "success")
    else:
        flash("That link was already revoked or replaced.", "info")
    return back_to_campaign_of(invitation)


@bp.route("/stakeholders/<int:stakeholder_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke_stakeholder(stakeholder_id):
    """Stop every link a stakeholder holds, in every campaign."""
    stakeholder = Stakeholder.get_or_none(Stakeholder.id == stakeholder_id) or abort(404)
    revoked = campaigns.revoke_stakeholder(stakeholder, staff_user())
    flash(
        f"{revoked} links of {stakeholder.email} no longer work. They cannot ask for a new one until invited again.",
        "success",
    )
    # The campaign page the request came from, to return to it.
    campaign_id = request.form.get("campaign", "")
    if campaign_id.isdigit():
        return redirect(url_for("campaigns.campaign", campaign_id=int(campaign_id)), code=303)
    return redirect(url_for("campaigns.campaign_list"), code=303)
