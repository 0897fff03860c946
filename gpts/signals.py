"""Account hooks: every new account gets its personal workspace (through the service)."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from . import services


@receiver(user_signed_up, dispatch_uid="gpts_personal_workspace")
def create_personal_workspace(sender, request, user, **kwargs):
    services.personal_workspace_create(user=user)
