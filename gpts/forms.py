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


def _spec(name: str) -> dict:
    """A form field's label, help text, length and requiredness from the GPT field spec (gpts/fields.py)."""
    spec = gpt_fields.gpt_field(name)
    options = {"label": spec.label, "required": spec.required}
    if spec.help_text:
        options["help_text"] = spec.help_text
    if spec.kind == gpt_fields.TEXT:
        options["max_length"] = spec.max_length
    return options


def _no_maxlength(field: forms.CharField) -> forms.CharField:
    # The character counter shows the limit; the browser must not silently cut pasted text.
    field.widget.attrs.pop("maxlength", None)
    return field


class GPTForm(NormalizedNewlinesMixin, forms.Form):
    """Every field of ChatGPT's Configure tab (and its Share dialog's visibility and category): what
    creating a GPT takes. Editing one uses GPTEditForm, which adds the version the page was opened at."""

    # The editor's order (also the conflict page's): ChatGPT's Configure tab, then its Share dialog.
    EDIT_FIELDS = tuple(spec.name for spec in gpt_fields.editor_fields())

    name = forms.CharField(
        **_spec("name"),
        error_messages={"required": "GPT name cannot be empty."},
        widget=forms.TextInput(attrs={"placeholder": "Name your GPT", "autocomplete": "off"}),
    )
    description = forms.CharField(
        **_spec("description"),
        widget=forms.TextInput(attrs={"placeholder": "Add a short description about what this GPT does"}),
    )
    instructions = forms.CharField(
        **_spec("instructions"),
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 14, "placeholder": "What does this GPT do? How does it behave? What should it avoid doing?"}
        ),
    )
    conversation_starters = StartersField(**_spec("conversation_starters"))
    web_search = forms.BooleanField(**_spec("web_search"))
    canvas = forms.BooleanField(**_spec("canvas"))
    image_generation = forms.BooleanField(**_spec("image_generation"))
    code_interpreter = forms.BooleanField(**_spec("code_interpreter"))
    recommended_model = forms.CharField(**_spec("recommended_model"))
    visibility = forms.ChoiceField(**_spec("visibility"), choices=GPT.Visibility.choices)
    category = forms.CharField(**_spec("category"))
    use_conversation_data = forms.BooleanField(**_spec("use_conversation_data"))
    # A plain FileField: gpts/pictures.py does the whole image check (with Pillow), so every path
    # that stores a picture gets the same messages.
    profile_picture = forms.FileField(
        **_spec("profile_picture"),
        validators=[profile_picture_check],
        widget=forms.FileInput(attrs={"accept": PROFILE_PICTURE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in gpt_fields.GPT_FIELDS:
            if spec.chatgpt_limit is not None:
                _no_maxlength(self.fields[spec.name])
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
