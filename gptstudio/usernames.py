"""What a username may be at sign-up (allauth's ACCOUNT_USERNAME_VALIDATORS).

Django's own rule (letters, digits and @.+-_), minus "@": a username that looks like an email
address could be taken for someone else's address wherever people are named by either (adding a
member, signing in). Email addresses are looked up only among verified addresses
(gpts.selectors.user_for_membership), so this keeps the two kinds of name apart at the source.
"""

from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator

USERNAME_VALIDATORS = [
    UnicodeUsernameValidator(),
    RegexValidator(
        "@",
        inverse_match=True,
        message='A username cannot contain "@" (so it is never mistaken for an email address).',
        code="invalid",
    ),
]
