"""Forms for the catalog pages. They only collect and shape input: every write goes through
``catalog.actions``, which validates and checks permission (see the views)."""

from django import forms
from django.conf import settings
from django.db import models

from portal import permissions
from teams.models import Team

from .models import Api, BusinessDomain, DataDomain, Dependency, Resource, Service, System


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ServiceForm(forms.ModelForm):
    tags = forms.CharField(
        required=False,
        help_text="Comma-separated labels, for example payments, pci, customer-facing.",
    )

    class Meta:
        model = Service
        formfield_callback = _https_urls
        fields = [
            "name", "description", "lifecycle", "tier", "kind", "language", "framework",
            "runtime", "scaling_factor", "repository_url", "pipeline_url", "docs_url",
            "runbook_url", "tags", "data_domain", "system",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"description": "Markdown: headings, lists, links, code."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].widget = forms.Select(choices=[(n, f"Tier {n}") for n in range(1, 5)])
        self.fields["data_domain"].queryset = DataDomain.objects.order_by("name")
        self.fields["data_domain"].empty_label = "None"
        self.fields["system"].queryset = System.objects.order_by("name")
        self.fields["system"].empty_label = "None"
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def _post_clean(self):
        """Model validation is the action's job (one write path): skip ModelForm's copy."""

    def changes(self) -> dict:
        """Only the fields the user changed, as keyword arguments for ``update_service``."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name != "tags"}
        if "tags" in self.changed_data:
            current = sorted(t.name for t in self.instance.tags.all())
            if sorted(t.lower() for t in self.cleaned_data["tags"]) != current:
                changes["tags"] = self.cleaned_data["tags"]
        return changes


class _Grouping(forms.ModelForm):
    """A system's or business domain's form: the slug and owning team are given once, when it
    is created (a transfer changes the owner); the owner is one of the teams the person may
    act as. Validation is the action's (one write path)."""

    creating_only = ("slug", "owner_team")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in self.creating_only:
                del self.fields[name]
        else:
            self.fields["slug"].strip = False  # names are never trimmed (portal/names.py)
            self.fields["slug"].validators = []  # the action states the name rule
            self.fields["owner_team"].queryset = permissions.restrict(
                Team.objects.order_by("name"), user, permissions.CONTRIBUTE
            )
            self.fields["owner_team"].to_field_name = "slug"

    def _post_clean(self):
        """Model validation is the action's job (one write path): skip ModelForm's copy."""

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class SystemForm(_Grouping):
    class Meta:
        model = System
        fields = ["slug", "name", "owner_team", "business_domain", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "slug": "Lower-case letters, digits and hyphens; it never changes.",
            "description": "Markdown: headings, lists, links, code.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_domain"].queryset = BusinessDomain.objects.order_by("name")
        self.fields["business_domain"].empty_label = "None"


class BusinessDomainForm(_Grouping):
    class Meta:
        model = BusinessDomain
        fields = ["slug", "name", "owner_team", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = SystemForm.Meta.help_texts


class SlugField(forms.CharField):
    """A slug typed by the user, looked up in ``queryset``; the error names what is missing."""

    def __init__(self, *, queryset, noun: str, **kwargs):
        self.queryset, self.noun = queryset, noun
        super().__init__(max_length=63, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        found = self.queryset.filter(slug__iexact=value).first()
        if found is None:
            raise forms.ValidationError(f"There is no {self.noun} {value!r}: check the slug.")
        return found


class DependencyForm(forms.Form):
    target_service = SlugField(
        queryset=Service.objects.all(),
        noun="service",
        required=False,
        label="Service it depends on",
        help_text="The slug of a service, or leave empty and name a resource.",
    )
    target_resource = SlugField(
        queryset=Resource.objects.all(),
        noun="resource",
        required=False,
        label="Resource it depends on",
        help_text="The slug of a database, queue, bucket or cache.",
    )
    kind = forms.ChoiceField(choices=Dependency.Kind.choices, initial=Dependency.Kind.SYNC)
    criticality = forms.ChoiceField(
        choices=Dependency.Criticality.choices, initial=Dependency.Criticality.MEDIUM
    )
    description = forms.CharField(required=False, max_length=500)


class ConsumptionForm(forms.Form):
    api = SlugField(
        queryset=Api.objects.all(), noun="API", label="API", help_text="The API's slug."
    )
    version_requirement = forms.CharField(
        required=False, max_length=50, help_text="The version range you rely on, e.g. ^1.2."
    )


class PublishVersionForm(forms.Form):
    version = forms.CharField(
        max_length=50, help_text="For example 1.2.0. Published versions never change."
    )
    spec = forms.CharField(
        required=False,
        label="Specification",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        help_text="Paste the document, or upload a file below.",
    )
    spec_file = forms.FileField(required=False, label="…or upload a file")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("spec_file")
        if upload:
            if upload.size > settings.KEEL_SPEC_MAX_BYTES:
                self.add_error(
                    "spec_file", f"The file is larger than {settings.KEEL_SPEC_MAX_BYTES} bytes."
                )
                return cleaned
            try:
                cleaned["spec"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("spec_file", "The file is not UTF-8 text.")
        if not cleaned.get("spec") and not self.has_error("spec_file"):
            self.add_error("spec", "Paste a specification or upload a file.")
        return cleaned
