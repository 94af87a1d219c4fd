"""Every model, imported once so the metadata (and Alembic) knows every table."""

from portal.accounts.models import Membership, Role, User  # noqa: F401
from portal.admin.models import DealtWith, Invitation, InvitationUpload  # noqa: F401
from portal.agreements.models import *  # noqa: F401,F403
from portal.audit import AuditEvent  # noqa: F401
from portal.calls.models import *  # noqa: F401,F403
from portal.drafts import FormDraft  # noqa: F401
from portal.equality.models import EqualityCount, EqualityDone  # noqa: F401
from portal.evaluations.models import (  # noqa: F401
    Evaluation,
    EvaluationReminder,
    EvaluationSignature,
    EvaluationSignoff,
    EvaluationSignReminder,
)
from portal.mail.models import OutboxAttachment, OutboxMessage, WorkerHeartbeat  # noqa: F401
from portal.mentors.models import MentorProfile, ProfileExpertise, ShortlistEntry  # noqa: F401
from portal.personal_data.models import DataExport  # noqa: F401
from portal.relationships.models import (  # noqa: F401
    ActionItem,
    CheckIn,
    MentoringSession,
    Relationship,
    RelationshipReminder,
)
from portal.retention.models import InactivityWarning  # noqa: F401
from portal.schemes.models import Scheme  # noqa: F401
from portal.tokens import EmailedLink, UsedToken  # noqa: F401
