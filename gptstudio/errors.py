"""Errors the services raise that every interface (UI, API, admin, commands) translates."""


class EditConflict(Exception):
    """An update started from an older version than the one stored: refused, nothing written.

    `current_version` lets the caller show or fetch the other side (HTTP 409/412, conflict page).
    """

    def __init__(self, *, expected_version: int, current_version: int, what: str = "GPT"):
        self.expected_version = expected_version
        self.current_version = current_version
        self.what = what
        super().__init__(
            f"This {what} was changed by someone else since you opened it (you started from version "
            f"{expected_version}, it is now at version {current_version}). Nothing was saved; reload "
            "to see the other changes, then apply yours again."
        )


class TooManyHeavyJobs(Exception):
    """The user already has the allowed number of large-schema jobs waiting or running (HTTP 429)."""

    def __init__(self, *, limit: int):
        self.limit = limit
        super().__init__(
            f"You already have {limit} large-schema job(s) waiting or running; at most {limit} may run at once. "
            "Wait for one to finish, then try again."
        )


class StrictSaveRefused(Exception):
    """A strict save whose result has validation errors: rolled back, nothing written.

    `findings` are all the result's findings, sorted (errors first), so the caller can show what
    refused it (HTTP 400 `has_errors` in the API)."""

    def __init__(self, findings: list):
        self.findings = findings
        errors = sum(1 for f in findings if str(f.severity) == "error")
        super().__init__(f"Not saved: strict mode refuses a result with {errors} validation error(s).")
