"""Forms for the team pages; writes go through ``teams.actions``."""

from django import forms

from portal.lookups import user_named

from .models import Membership


class UsernameField(forms.CharField):
    """A user named as every interface names one (``portal.lookups``); whether they may join
    is ``Membership.clean``'s to say."""

    def clean(self, value):
        value = super().clean(value).strip()
        user = user_named(value)
        if user is None:
            raise forms.ValidationError(f"There is no user {value[:150]!r}.")
        return user


class AddMemberForm(forms.Form):
    user = UsernameField(label="Username", max_length=150)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
