"""The action editor's form: translates a request into `action_create` / `action_update` arguments.

Secrets are write-only: the inputs never render a stored value, and an empty input means "keep the
saved one" (pass None to the service). Editing an existing action needs the version the page was
opened at (a save without one is refused, never applied blindly)."""

from __future__ import annotations

from django import forms
from django.utils.text import normalize_newlines

from gptstudio import limits
from gptstudio.forms import NormalizedNewlinesMixin, VersionField

from . import fields as action_fields
from .models import Action

SCHEMA_FILE_EXTENSIONS = (".json", ".yaml", ".yml")


def _spec(name: str, **overrides) -> dict:
    """A form field's label, help text and length from the action field spec (actions/fields.py).
    The editor's fields are all optional but the authentication type (the services decide)."""
    spec = action_fields.action_field(name)
    options = {"required": False}
    if spec.label:
        options["label"] = spec.label
    if spec.help_text:
        options["help_text"] = spec.help_text
    if spec.max_length is not None:
        options["max_length"] = spec.max_length
    return options | overrides


class ActionForm(NormalizedNewlinesMixin, forms.Form):
    version = VersionField()
    name = forms.CharField(**_spec("name"))
    schema_text = forms.CharField(
        **_spec("schema_text"),
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 24,
                "wrap": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
                "class": "code",
                "placeholder": "Enter your OpenAPI schema here (JSON or YAML)",
            }
        ),
    )
    schema_file = forms.FileField(
        label="Upload a schema file",
        required=False,
        help_text="A .json, .yaml or .yml file; it replaces the text above.",
    )
    privacy_policy_url = forms.URLField(
        **_spec("privacy_policy_url"),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://app.example.com/privacy"}),
    )
    auth_type = forms.ChoiceField(
        **_spec("auth_type", required=True),
        choices=Action.AuthType.choices,
        initial=Action.AuthType.NONE,
        widget=forms.RadioSelect,
    )
    api_key = forms.CharField(
        label="API Key", required=False, strip=True, widget=forms.PasswordInput(render_value=False)
    )
    api_key_auth_type = forms.ChoiceField(
        **_spec("api_key_auth_type"),
        choices=Action.ApiKeyAuthType.choices,
        initial=Action.ApiKeyAuthType.BASIC,
        widget=forms.RadioSelect,
    )
    api_key_custom_header = forms.CharField(
        **_spec("api_key_custom_header"),
        widget=forms.TextInput(attrs={"placeholder": "X-Api-Key"}),
    )
    oauth_client_id = forms.CharField(**_spec("oauth_client_id"))
    oauth_client_secret = forms.CharField(
        label="Client Secret", required=False, strip=True, widget=forms.PasswordInput(render_value=False)
    )
    oauth_authorization_url = forms.URLField(**_spec("oauth_authorization_url"), assume_scheme="https")
    oauth_token_url = forms.URLField(**_spec("oauth_token_url"), assume_scheme="https")
    oauth_scope = forms.CharField(**_spec("oauth_scope"))
    oauth_token_exchange_method = forms.ChoiceField(
        **_spec("oauth_token_exchange_method"),
        choices=Action.TokenExchangeMethod.choices,
        initial=Action.TokenExchangeMethod.DEFAULT_POST,
        widget=forms.RadioSelect,
    )

    # Asked the other way round (`changes_public_state = not private_system`) so that a post without
    # the box, like an unchecked one, keeps the cautious default.
    private_system = forms.BooleanField(
        label="Calls only our own private system",
        required=False,
        help_text="Check when the API changes no third-party or public state (no email sent, nothing posted "
        "or published). The MCP server export then marks its tools openWorldHint: false.",
    )

    base_url_override = forms.URLField(
        **_spec("base_url_override"),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://staging.api.example.com"}),
    )

    SERVICE_FIELDS = action_fields.form_names()

    def __init__(self, *args, action: Action | None = None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        if action is None:
            del self.fields["version"]  # a new action has no version to check against yet
        self.fields["schema_file"].widget.attrs["accept"] = ",".join(SCHEMA_FILE_EXTENSIONS)
        for secret, saved in (
            ("api_key", action and action.has_api_key),
            ("oauth_client_secret", action and action.has_client_secret),
        ):
            self.fields[secret].widget.attrs["autocomplete"] = "new-password"
            if saved:
                self.fields[secret].widget.attrs["placeholder"] = "•••••••• saved — type to replace"

    @staticmethod
    def initial_for(action: Action) -> dict:
        return {
            "version": action.version,
            "name": action.name,
            **{field: getattr(action, field) for field in ActionForm.SERVICE_FIELDS},
            "api_key_auth_type": action.api_key_auth_type or Action.ApiKeyAuthType.BASIC,
            "private_system": not action.changes_public_state,
        }

    def clean_schema_file(self):
        upload = self.cleaned_data.get("schema_file")
        if not upload:
            return None
        if not upload.name.lower().endswith(SCHEMA_FILE_EXTENSIONS):
            raise forms.ValidationError("Upload a .json, .yaml or .yml file.")
        if upload.size > limits.STUDIO_SCHEMA_HARD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {limits.STUDIO_SCHEMA_HARD_MAX_BYTES // (1024 * 1024)} MB."
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        # A file saved on Windows has CRLF line ends; stored like typed text (see NormalizedNewlinesMixin).
        return normalize_newlines(text)

    def clean(self):
        data = super().clean()
        if data.get("schema_file") is not None:
            data["schema_text"] = data["schema_file"]
        if data.get("auth_type") == Action.AuthType.OAUTH and not (data.get("oauth_client_id") or "").strip():
            # The model takes an OAuth action without one (a rescued GPT waits for it); typed in the
            # editor, it is a mistake to catch here.
            self.add_error("oauth_client_id", "OAuth authentication needs a client ID.")
        if data.get("auth_type") == Action.AuthType.API_KEY and not data.get("api_key_auth_type"):
            data["api_key_auth_type"] = Action.ApiKeyAuthType.BASIC
        if not data.get("oauth_token_exchange_method"):
            data["oauth_token_exchange_method"] = Action.TokenExchangeMethod.DEFAULT_POST
        return data

    def service_fields(self) -> dict:
        """Keyword arguments for the services; secrets only when typed (None keeps the stored one)."""
        data = {field: self.cleaned_data[field] for field in self.SERVICE_FIELDS}
        if self.cleaned_data.get("name"):
            data["name"] = self.cleaned_data["name"]
        data["changes_public_state"] = not self.cleaned_data.get("private_system")
        data["api_key"] = self.cleaned_data.get("api_key") or None
        data["oauth_client_secret"] = self.cleaned_data.get("oauth_client_secret") or None
        return data
