from django import forms

from .models import TeamWebhook


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Webhook URL",
        max_length=TeamWebhook._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text="Keel POSTs each notification of the team here as signed JSON.",
    )
    rotate_secret = forms.BooleanField(
        label="Draw a new secret (the old one stops working)", required=False
    )
