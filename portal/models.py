"""Every table of the portal, in an order that creates referenced tables first."""

from portal.audit.models import MODELS as AUDIT_MODELS
from portal.auth.models import MODELS as AUTH_MODELS
from portal.feedback.models import MODELS as FEEDBACK_MODELS
from portal.mail.models import MODELS as MAIL_MODELS
from portal.plan.models import MODELS as PLAN_MODELS
from portal.review.models import MODELS as REVIEW_MODELS
from portal.stakeholders.models import MODELS as STAKEHOLDER_MODELS

ALL_MODELS = [
    *PLAN_MODELS,
    *AUTH_MODELS,
    *STAKEHOLDER_MODELS,
    *FEEDBACK_MODELS,
    *REVIEW_MODELS,
    *MAIL_MODELS,
    *AUDIT_MODELS,
]
