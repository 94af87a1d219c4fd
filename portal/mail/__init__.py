"""Email: the outbox, its delivery, and the development mail viewer."""

from portal.mail.outbox import Attachment, absolute_url, queue

__all__ = ["Attachment", "absolute_url", "queue"]
