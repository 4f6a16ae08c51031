"""Sign-in protection, by django-axes: after ``KEEL_SIGNIN_FAILURE_LIMIT`` failed sign-ins
for one account, or from one address, signing in is paused for ``KEEL_SIGNIN_COOLOFF_MINUTES``
(the right password included) on the sign-in page and the admin's alike.

Failures are counted in the database, so every web process sees the same count. An
administrator lifts a pause with ``manage.py axes_reset_username <name>`` (or
``axes_reset_ip``), or by deleting the access attempt in the admin.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


class SignInLockoutBackend(AxesStandaloneBackend):
    """Refuses a paused account or address before any password is checked. Authentication
    without a request (a shell, the test client's ``login()``) has no client to count, and
    goes on to the next backend as it would without axes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page's answer while paused: 429, what happened and when to try again
    (at the latest: the pause runs from the last counted failure)."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
