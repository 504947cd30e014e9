"""Django 5.2 words its password-length error with ``%d``, but Django's own Dutch
catalogue still has the older ``%(min_length)d`` message, so the error showed in English
on a Dutch registration page. This puts the current message in our catalogue, where
the translation is looked up first. Never called: it is here for ``makemessages``."""

from django.utils.translation import ngettext


def _for_makemessages(n: int) -> str:  # pragma: no cover
    return ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        n,
    )
