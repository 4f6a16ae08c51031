"""A person's own pages: API tokens (a form for a new one, revoking) and saved views of the
lists (saving the current filters, deleting)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from portal.models import Interface
from portal.pages import ask_first, perform

from . import actions
from .forms import SavedViewForm, TokenForm
from .models import ApiToken, SavedView


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
    if page := ask_first(
        request,
        question=f"Revoke the token “{token.name}”?",
        consequence=f"Tools that use {token.prefix}… stop working at once. This cannot be undone; "
        "you can create a new token afterwards.",
        cancel_url=reverse("accounts:tokens"),
        action="Revoke the token",
    ):
        return page
    actions.revoke_token(token, actor=request.user, via=Interface.UI)
    messages.success(request, f"Token {token} revoked: it no longer works.")
    return redirect("accounts:tokens")


@never_cache
def saved_views(request):
    """Every saved view a person sees (theirs and their teams'), each list's together, with
    those whose filters no longer apply marked; a POST saves a list's current filters."""
    form, status = None, 200
    if request.method == "POST":
        form = SavedViewForm(request.POST, user=request.user)
        view = perform(
            form,
            lambda data: actions.save_view(
                actor=request.user,
                via=Interface.UI,
                list_name=data["list_name"],
                name=data["name"],
                query=data["query"],
                team=data["team"],
            ),
        )
        if view is not None:
            messages.success(request, f"Saved the view {view.name}.")
            return redirect(view.get_absolute_url())
        status = 400
    views = SavedView.objects.visible_to(request.user).select_related("user", "team")
    views = sorted(views, key=lambda view: (view.list_name, view.name, view.pk))
    context = {"form": form, "views": views}
    return render(request, "accounts/saved_views.html", context, status=status)


def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView.objects.visible_to(request.user), pk=pk)
    back = (request.POST if request.method == "POST" else request.GET).get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("accounts:saved-views")
    asked = ask_first(
        request,
        question=f"Delete the saved view {view.name}?",
        consequence="The list's filters stay as they are; only this shortcut to them goes"
        + (f", for team {view.team.name} too." if view.team else "."),
        cancel_url=back,
        action="Delete the saved view",
    )
    if asked:
        return asked
    try:
        actions.delete_view(view, actor=request.user, via=Interface.UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted the saved view {view.name}.")
    return redirect(back)
