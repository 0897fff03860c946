"""The GPT editor's forms: line ends as ChatGPT counts them, and the version every edit carries."""

import pytest
from django.http import QueryDict

from gpts.forms import GPTEditForm, GPTForm, MergeChoiceForm, RestoreForm
from gptstudio import limits


def bound(form_class, **values):
    """A form bound to a real QueryDict (repeated keys, immutable), as request.POST is."""
    data = QueryDict(mutable=True)
    for key, value in {"name": "Helper", "visibility": "invite_only", **values}.items():
        data.setlist(key, value if isinstance(value, list) else [str(value)])
    data._mutable = False
    return form_class(data)


def test_browser_crlf_line_ends_are_stored_as_lf_in_every_text_field():
    form = bound(
        GPTForm,
        name="Line\r\nends",
        description="One\rtwo",
        instructions="First line\r\nSecond line\r\n\r\nLast\r",
        conversation_starters=["Ask\r\nme", "Plain"],
        recommended_model="GPT\r\n5",
        category="Pro\rductivity",
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["instructions"] == "First line\nSecond line\n\nLast\n"
    assert (data["name"], data["description"]) == ("Line\nends", "One\ntwo")
    assert data["conversation_starters"] == ["Ask\nme", "Plain"]
    assert (data["recommended_model"], data["category"]) == ("GPT\n5", "Pro\nductivity")
    assert form.starters() == ["Ask\nme", "Plain"]  # what the page re-renders after an error


def test_instructions_count_a_line_break_as_one_character_like_the_counter():
    # The audit's case: 7,950 characters with 790 line breaks, which the browser sends as 8,740.
    typed = ("x" * 9 + "\n") * 790 + "y" * 50
    submitted = typed.replace("\n", "\r\n")
    assert (len(typed), len(submitted)) == (7950, 8740)
    form = bound(GPTForm, instructions=submitted)
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["instructions"]) == 7950 < limits.GPT_INSTRUCTIONS_MAX_LENGTH.value


def test_the_length_caps_apply_after_normalising():
    maximum = limits.STUDIO_NAME_HARD_MAX_LENGTH
    name = "a\r\n" * (maximum // 2)  # 750 characters sent, 500 after normalising
    form = bound(GPTForm, name=name.rstrip())
    assert form.is_valid(), form.errors


def test_a_plain_dict_is_normalised_too():
    form = GPTForm({"name": "N", "visibility": "invite_only", "instructions": "a\r\nb"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["instructions"] == "a\nb"


def test_edit_form_without_a_version_is_refused_with_a_clear_message():
    form = bound(GPTEditForm)
    assert not form.is_valid()
    assert "did not say which version it was made from" in form.errors["version"][0]
    assert "nothing was saved" in form.errors["version"][0]


@pytest.mark.parametrize("version", ["abc", "1.5", "", "0"])
def test_edit_form_with_a_version_that_is_not_a_positive_integer_is_refused(version):
    form = bound(GPTEditForm, version=version)
    assert not form.is_valid()
    assert list(form.errors) == ["version"]
    assert "reload the page" in form.errors["version"][0].lower()


def test_edit_form_with_a_version_is_valid_and_keeps_it():
    form = bound(GPTEditForm, version="7")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["version"] == 7


def test_the_create_form_has_no_version_to_send():
    assert "version" not in GPTForm.base_fields
    assert bound(GPTForm).is_valid()


@pytest.mark.parametrize("form_class", [RestoreForm, MergeChoiceForm])
def test_restore_and_merge_need_a_version_too(form_class):
    kwargs = {"fields": []} if form_class is MergeChoiceForm else {}
    assert not form_class({}, **kwargs).is_valid()
    assert form_class({"version": "3"}, **kwargs).is_valid()
