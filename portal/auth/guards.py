"""Access checks that views call before doing anything else."""

import functools

from flask import abort, g, request, session
from flask_login import current_user

from portal.extensions import login_manager


def deny_stakeholder_without_session():
    """Abort with 403 for staff or a stakeholder whose invitation lapsed, else 401.

    A conversation asked for without a session (from a reply email, on another device)
    is remembered, so that the next invitation link opened here leads back to it.
    """
    if current_user.is_authenticated or g.get("invitation_problem"):
        abort(403)
    if request.method == "GET" and request.path.startswith("/threads/"):
        session["after_invitation"] = request.path
    abort(401)


def staff_required(*roles):
    """Allow only signed-in staff, and only the given roles when any are named."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def stakeholder_required(view):
    """Allow only a stakeholder whose invitation is still valid."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("stakeholder") is None:
            deny_stakeholder_without_session()
        return view(*args, **kwargs)

    return wrapped


def viewer_required(view):
    """Allow signed-in staff and stakeholders with a valid invitation."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            return view(*args, **kwargs)
        if g.get("stakeholder") is None:
            deny_stakeholder_without_session()
        return view(*args, **kwargs)

    return wrapped


def can_see_strategy(strategy):
    """Return True if the viewer may read the strategy: staff, or a stakeholder in scope."""
    if current_user.is_authenticated:
        return True
    invitation = g.get("invitation")
    if invitation is None:
        return False
    scope = invitation.strategy_ids()
    return scope is None or strategy.id in scope
