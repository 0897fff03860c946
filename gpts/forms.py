"""Forms of the browser studio. They translate request data into the keyword arguments of the
services (gpts/services.py); the services decide. Limits come from gptstudio/limits.py."""

from __future__ import annotations

from django import forms

from gptstudio import limits
from gptstudio.forms import NormalizedNewlinesMixin, VersionField

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


def _no_maxlength(field: forms.CharField) -> forms.CharField:
    # The character counter shows the limit; the browser must not silently cut pasted text.
    field.widget.attrs.pop("maxlength", None)
    return field


class GPTForm(NormalizedNewlinesMixin, forms.Form):
    """Every field of ChatGPT's Configure tab (and its Share dialog's visibility and category): what
    creating a GPT takes. Editing one uses GPTEditForm, which adds the version the page was opened at."""

    # The editor's order (also the conflict page's): ChatGPT's Configure tab, then its Share dialog.
    EDIT_FIELDS = (
        "name",
        "description",
        "instructions",
        "conversation_starters",
        "recommended_model",
        "web_search",
        "canvas",
        "image_generation",
        "code_interpreter",
        "use_conversation_data",
        "visibility",
        "category",
    )

    name = forms.CharField(
        max_length=limits.STUDIO_NAME_HARD_MAX_LENGTH,
        error_messages={"required": "GPT name cannot be empty."},
        widget=forms.TextInput(attrs={"placeholder": "Name your GPT", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=limits.STUDIO_DESCRIPTION_HARD_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Add a short description about what this GPT does"}),
    )
    instructions = forms.CharField(
        max_length=limits.STUDIO_INSTRUCTIONS_HARD_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 14, "placeholder": "What does this GPT do? How does it behave? What should it avoid doing?"}
        ),
    )
    conversation_starters = StartersField(required=False)
    web_search = forms.BooleanField(label="Web Search", required=False)
    canvas = forms.BooleanField(label="Canvas", required=False)
    image_generation = forms.BooleanField(label="Image Generation", required=False)
    code_interpreter = forms.BooleanField(label="Code Interpreter & Data Analysis", required=False)
    recommended_model = forms.CharField(
        max_length=100,
        required=False,
        help_text="Free text: ChatGPT's model list changes as models are retired.",
    )
    visibility = forms.ChoiceField(choices=GPT.Visibility.choices, help_text="How the GPT is shared in ChatGPT.")
    category = forms.CharField(
        max_length=100, required=False, help_text="ChatGPT requires a category to publish to the GPT Store."
    )
    use_conversation_data = forms.BooleanField(
        label="Use conversation data in your GPT to improve our models", required=False
    )
    # A plain FileField: gpts/pictures.py does the whole image check (with Pillow), so every path
    # that stores a picture gets the same messages.
    profile_picture = forms.FileField(
        required=False,
        validators=[profile_picture_check],
        widget=forms.FileInput(attrs={"accept": PROFILE_PICTURE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "description", "instructions"):
            _no_maxlength(self.fields[name])
        self.fields["profile_picture"].help_text = profile_picture_help()

    @staticmethod
    def initial_for(gpt: GPT) -> dict:
        return {
            "version": gpt.version,
            "name": gpt.name,
            "description": gpt.description,
            "instructions": gpt.instructions,
            "conversation_starters": [s.text for s in gpt.conversation_starters.all()],
            **gpt.capabilities,
            "recommended_model": gpt.recommended_model,
            "visibility": gpt.visibility,
            "category": gpt.category,
            "use_conversation_data": gpt.use_conversation_data,
        }

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
