"""E-mail after commit, in the recipient's language."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.utils.functional import Promise

logger = logging.getLogger(__name__)


def site_link(path: str, *, site_url: str | None = None) -> str:
    """An absolute link for an e-mail: ``path`` on the site the request came to
    (``site_url``), or else on ``settings.SITE_URL`` (work done without a request: beat,
    the outbox, management commands)."""
    return (site_url or settings.SITE_URL).rstrip("/") + path


def email_user_now(
    *, to: str, language: str, subject: str | Promise, template: str, context: Mapping[str, object]
) -> None:
    """Render and send at once; a failure raises (an outbox handler is then tried again)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        subject_text = str(subject)
    send_mail(subject_text, body, settings.DEFAULT_FROM_EMAIL, [to])


def email_user_on_commit(
    *, to: str, language: str, subject: str | Promise, template: str, context: Mapping[str, object]
) -> None:
    """Render and send once the surrounding transaction commits (never on rollback)."""

    def _send() -> None:
        try:
            email_user_now(
                to=to, language=language, subject=subject, template=template, context=context
            )
        except Exception:
            logger.exception("sending e-mail to %s failed", to)

    transaction.on_commit(_send)
