from datetime import timedelta

from django import forms
from django.utils import timezone

from teams.models import Team

from .models import MAX_SAVED_QUERY, ApiToken

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'CI deploys'.")
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text="Read-only tokens cannot change anything through REST or GraphQL.",
    )
    expires_in = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="90", required=False, label="Expires"
    )

    def token_fields(self) -> dict:
        days = self.cleaned_data["expires_in"]
        expires_at = timezone.now() + timedelta(days=int(days)) if days else None
        return {
            "name": self.cleaned_data["name"],
            "scope": self.cleaned_data["scope"],
            "expires_at": expires_at,
        }


class SavedViewForm(forms.Form):
    """Save a list's current filters under a name (checked by the model: the name rule)."""

    name = forms.CharField(
        max_length=100, help_text="A short name, e.g. tier-1-payments (lower case, hyphens)."
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="Only me",
        label="Share with",
        to_field_name="slug",
        widget=forms.Select(attrs={"id": "save-view-team"}),
    )
    list_name = forms.CharField(widget=forms.HiddenInput, max_length=100)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=MAX_SAVED_QUERY)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__user=user).order_by("name")
