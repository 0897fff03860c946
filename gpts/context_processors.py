"""Template context every page needs: the signed-in user's workspaces for the switcher."""

from .selectors import workspaces_for


def workspaces(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: the query runs only on pages that render the switcher.
    return {"my_workspaces": workspaces_for(user)}
