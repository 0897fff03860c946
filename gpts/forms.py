"""Forms of the browser studio. They translate request data into the keyword arguments of the
services (gpts/services.py); the services decide. Limits come from gptstudio/limits.py."""

from __future__ import annotations

from django import forms

from gptstudio import limits
from gptstudio.forms import NormalizedNewlinesMixin, VersionField

from . import fields as gpt_fields
from .models import GPT, Membership
from .pictures import PROFILE_PICTURE_ACCEPT, profile_picture_check, profile_picture_help

# The categories of ChatGPT's 2024 publish dialog (GPT_EDITOR.md §2). ChatGPT loads the list from
# its server, so these are suggestions for a free-text field, not a closed choice.
CATEGORY_SUGGESTIONS = ("Writing", "Productivity", "Research & Analysis", "Programming", "Education", "Lifestyle")


class StartersWidget(forms.Widget):
    """Any number of `conversation_starters` inputs, read back in their order."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else list(data.get(name, []))

    def value_omitted_from_data(self, data, files, name):
        return False


class StartersField(forms.Field):
    widget = StartersWidget

    def to_python(self, value):
        # ChatGPT drops empty starters; so does the form.
        return [text.strip() for text in (value or []) if text and text.strip()]

    def validate(self, value):
        maximum = limits.GPT_CONVERSATION_STARTERS_MAX.value
        if len(value) > maximum:
            raise forms.ValidationError(
                f"ChatGPT's editor holds at most {maximum} conversation starters; you have {len(value)}. "
                "Remove some first."
            )
        for position, text in enumerate(value, 1):
            if len(text) > limits.STUDIO_STARTER_MAX_LENGTH:
                raise forms.ValidationError(
                    f"Starter {position} is longer than {limits.STUDIO_STARTER_MAX_LENGTH} characters."
                )


FORM_FIELD_CLASSES = {
    gpt_fields.TEXT: forms.CharField,
    gpt_fields.CHOICE: forms.ChoiceField,
    gpt_fields.BOOLEAN: forms.BooleanField,
    gpt_fields.LIST: StartersField,  # the conversation starters are the one list
    gpt_fields.FILE: forms.FileField,
}

# Presentation beyond the spec, per field: placeholders, rows, widgets, messages, the choices'
# labels. A field that needs none (most text fields) is not listed.
FORM_FIELD_OPTIONS = {
    "name": {
        "error_messages": {"required": "GPT name cannot be empty."},
        "widget": forms.TextInput(attrs={"placeholder": "Name your GPT", "autocomplete": "off"}),
    },
    "description": {
        "widget": forms.TextInput(attrs={"placeholder": "Add a short description about what this GPT does"}),
    },
    "instructions": {
        "strip": False,
        "widget": forms.Textarea(
            attrs={"rows": 14, "placeholder": "What does this GPT do? How does it behave? What should it avoid doing?"}
        ),
    },
    "visibility": {"choices": GPT.Visibility.choices},
    # A plain FileField: gpts/pictures.py does the whole image check (with Pillow), so every path
    # that stores a picture gets the same messages.
    "profile_picture": {
        "validators": [profile_picture_check],
        "widget": forms.FileInput(attrs={"accept": PROFILE_PICTURE_ACCEPT}),
    },
}


def form_specs() -> tuple[gpt_fields.GPTField, ...]:
    """The GPT fields the studio form carries, in spec order: the editor's, and the picture."""
    return tuple(
        spec for spec in gpt_fields.GPT_FIELDS if spec.editor_position is not None or spec.kind == gpt_fields.FILE
    )


def spec_form_field(spec: gpt_fields.GPTField) -> forms.Field:
    """A GPT field's form field: its class by kind, label, help text, length, requiredness and a new
    GPT's value from the spec (gpts/fields.py), and what `FORM_FIELD_OPTIONS` adds for presentation."""
    options = {"label": spec.label, "required": spec.required}
    if spec.help_text:
        options["help_text"] = spec.help_text
    if spec.kind == gpt_fields.TEXT:
        options["max_length"] = spec.max_length
    if spec.kind == gpt_fields.CHOICE:
        options["choices"] = [(choice, choice) for choice in spec.choices]
    if spec.default is not None:
        options["initial"] = spec.default_value()  # a new GPT's (the editor of a GPT passes its values)
    field = FORM_FIELD_CLASSES[spec.kind](**(options | FORM_FIELD_OPTIONS.get(spec.name, {})))
    if spec.chatgpt_limit is not None:
        # The character counter shows the limit; the browser must not silently cut pasted text.
        field.widget.attrs.pop("maxlength", None)
    return field


class GPTForm(NormalizedNewlinesMixin, forms.Form):
    """Every field of ChatGPT's Configure tab (and its Share dialog's visibility and category): what
    creating a GPT takes. Editing one uses GPTEditForm, which adds the version the page was opened at.

    The GPT's fields are built from the field spec when the form is made (`spec_form_field`), so a
    new spec entry is in the form with nothing written here; only presentation is per field."""

    # The editor's order (also the conflict page's): ChatGPT's Configure tab, then its Share dialog.
    EDIT_FIELDS = tuple(spec.name for spec in gpt_fields.editor_fields())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {**{spec.name: spec_form_field(spec) for spec in form_specs()}, **self.fields}
        self.fields["profile_picture"].help_text = profile_picture_help()

    @staticmethod
    def initial_for(gpt: GPT) -> dict:
        initial = {"version": gpt.version}
        for name in GPTForm.EDIT_FIELDS:
            if name == "conversation_starters":
                initial[name] = [s.text for s in gpt.conversation_starters.all()]
            else:
                initial[name] = getattr(gpt, name)
        return initial

    def service_fields(self) -> dict:
        """The cleaned data as `gpt_create` / `gpt_update` keyword arguments."""
        data = {name: self.cleaned_data[name] for name in self.EDIT_FIELDS}
        if self.cleaned_data.get("profile_picture"):
            data["profile_picture"] = self.cleaned_data["profile_picture"]
        return data

    def starters(self) -> list[str]:
        """The starters to render: the submitted ones when bound, else the initial ones."""
        if self.is_bound:
            return self.fields["conversation_starters"].to_python(self.data.getlist("conversation_starters"))
        return list(self.initial.get("conversation_starters", []))


class GPTEditForm(GPTForm):
    """The editor's form for an existing GPT. `version` is the version the page was opened at; the
    service refuses the save when the GPT moved on since, so a save without one is refused here."""

    version = VersionField()


class KnowledgeUploadForm(forms.Form):
    file = forms.FileField(help_text="Up to 20 files per GPT, 512 MB each.")


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=100, label="Workspace name")


class InvitationForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class RestoreForm(forms.Form):
    """Restoring a revision is a save too: it carries the version the history page showed."""

    version = VersionField()


class MergeChoiceForm(forms.Form):
    """Built per conflict: for every differing field, which side to keep."""

    version = VersionField()

    def __init__(self, *args, fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in fields:
            self.fields[f"pick_{name}"] = forms.ChoiceField(
                choices=[("mine", "Mine"), ("theirs", "Theirs")], widget=forms.RadioSelect
            )
