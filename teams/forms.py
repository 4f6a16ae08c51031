"""Forms for the team pages; writes go through ``teams.actions``."""

from django import forms
from django.contrib.auth import get_user_model

from .models import Membership


class UsernameField(forms.CharField):
    def clean(self, value):
        value = super().clean(value).strip()
        user = get_user_model().objects.filter(username__iexact=value, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"There is no active user {value!r}.")
        return user


class AddMemberForm(forms.Form):
    user = UsernameField(label="Username", max_length=150)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
