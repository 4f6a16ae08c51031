"""The tokens page: a person's API tokens, a form for a new one, and revoking."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from portal.models import Interface
from portal.pages import perform

from . import actions
from .forms import TokenForm
from .models import ApiToken


@never_cache
def tokens(request):
    """A new key is shown in the answer to the POST that created it, never again (it is not
    put in a redirect, a message or the session)."""
    form, created, status = TokenForm(), None, 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        created = perform(
            form,
            lambda data: actions.create_token(
                actor=request.user, via=Interface.UI, user=request.user, **form.token_fields()
            ),
        )
        form, status = (TokenForm(), 200) if created else (form, 400)
    context = {"form": form, "created": created, "tokens": request.user.api_tokens.all()}
    return render(request, "accounts/tokens.html", context, status=status)


def revoke(request, prefix: str):
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    if request.method != "POST":
        return render(request, "accounts/token_revoke.html", {"token": token})
    actions.revoke_token(token, actor=request.user, via=Interface.UI)
    messages.success(request, f"Token {token} revoked: it no longer works.")
    return redirect("accounts:tokens")
