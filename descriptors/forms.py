"""Forms of the Import page: they collect and shape input; ``descriptors.actions`` validates,
checks permission and writes (one write path)."""

from django import forms
from django.conf import settings

from portal import permissions
from teams.models import Team

from .models import Location


class _LocationForm(forms.ModelForm):
    """The owner is one of the teams the person may act as; staff may leave it empty (a
    location of their own)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].strip = False  # names are never trimmed (portal/names.py)
        self.fields["slug"].validators = []  # the action states the name rule
        self.fields["slug"].help_text = "Lower-case letters, digits and hyphens; it never changes."
        owner = self.fields["owner_team"]
        owner.queryset = permissions.restrict(
            Team.objects.order_by("name"), user, permissions.CONTRIBUTE
        )
        owner.to_field_name = "slug"
        owner.required = not permissions.administers(user)
        owner.empty_label = "None (staff's)" if not owner.required else None
        owner.help_text = "It may only write what this team owns."

    def _post_clean(self):
        """Model validation is the action's job (one write path): skip ModelForm's copy."""

    def action_fields(self) -> dict:
        """The action's keyword arguments; an empty field takes the model's default."""
        given = {name: value for name, value in self.cleaned_data.items() if value != ""}
        return {"type": self.location_type, **given}


class UploadForm(_LocationForm):
    location_type = Location.Type.UPLOAD
    file = forms.FileField(required=False, help_text="A catalog-info.yaml file, or paste it below.")

    class Meta:
        model = Location
        fields = ["slug", "name", "owner_team", "file", "content", "remove_orphans"]
        widgets = {"content": forms.Textarea(attrs={"rows": 10, "spellcheck": "false"})}
        labels = {"content": "Descriptor"}
        help_texts = {"content": "Multi-document YAML (---), Backstage's format."}

    def clean(self):
        data = super().clean()
        upload = data.pop("file", None)
        if upload is not None:
            limit = settings.KEEL_CATALOG_MAX_FILE_BYTES
            if upload.size > limit:
                raise forms.ValidationError(
                    {"file": f"The file is larger than the limit of {limit} bytes."}
                )
            try:
                data["content"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(
                    {"file": f"The file is not UTF-8 text (byte {error.start})."}
                ) from None
            data["entry"] = upload.name[:500]
        elif not data.get("content", "").strip():
            raise forms.ValidationError({"content": "Upload or paste the descriptor file."})
        return data


class GitForm(_LocationForm):
    location_type = Location.Type.GIT

    class Meta:
        model = Location
        fields = ["slug", "name", "owner_team", "target", "ref", "entry", "remove_orphans"]
        labels = {"target": "Repository URL"}
        help_texts = {
            "target": "An https:// clone address, or keel:<name> for a repository Keel hosts.",
            "entry": "The descriptor to start from, relative to the repository's root.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].required = False
