"""Pages: two versions of an API compared, and a breaking version with its consumers (where
consumer teams acknowledge it and the provider sets a sunset)."""

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Api, ApiVersion
from portal import permissions
from portal.models import Interface
from portal.pages import by_slug, perform

from . import actions
from .diffing import Level, compare_valid
from .models import BreakingRelease, VersionDiff
from .sidebyside import side_by_side

# A comparison of two stored versions is a function of their texts: kept by their digests.
_COMPARISON_SECONDS = 24 * 3600


def _api(request, slug) -> Api:
    return by_slug(Api.objects.select_related("provider__owner_team"), slug)


def _comparison(api, base: ApiVersion, revision: ApiVersion) -> dict:
    """The stored diff when ``revision`` was published against ``base``; else worked out once
    for the pair and cached."""
    stored = VersionDiff.objects.filter(version=revision, base_version=base.version).first()
    if stored is not None:
        return {"changes": stored.changes, "problems": stored.problems, "verdict": stored.verdict,
                "comparable": stored.comparable}  # fmt: skip
    key = f"contracts:compare:{api.type}:{base.digest}:{revision.digest}"
    found = cache.get(key)
    if found is None:
        # both were validated when published: read, not validated again
        found = compare_valid(api.type, base.spec, revision.spec).as_dict()
        cache.set(key, found, _COMPARISON_SECONDS)
    return found


def _sides(api, base: ApiVersion, revision: ApiVersion, changes: list) -> dict:
    """Both documents as marked lines (``contracts.sidebyside``), kept by the texts' digests."""
    key = f"contracts:sides:{api.type}:{base.digest}:{revision.digest}"
    found = cache.get(key)
    if found is None:
        found = side_by_side(api.type, base.spec, revision.spec, changes)
        cache.set(key, found, _COMPARISON_SECONDS)
    return found


def compare_versions(request, slug):
    """Two chosen versions side by side (base left, revision right) with the lines of each
    change marked, and the changes grouped by level, worst first, linked to those lines."""
    api = _api(request, slug)
    versions = list(api.versions.defer("spec").values_list("version", flat=True))
    base_label = request.GET.get("base") or (versions[1] if len(versions) > 1 else "")
    revision_label = request.GET.get("revision") or (versions[0] if versions else "")
    comparison, groups, sides = None, [], None
    if base_label and revision_label:
        found = {
            v.version: v for v in api.versions.filter(version__in=[base_label, revision_label])
        }
        if base_label not in found or revision_label not in found:
            raise Http404(f"API {api.slug} has no such version.")
        comparison = _comparison(api, found[base_label], found[revision_label])
        sides = _sides(api, found[base_label], found[revision_label], comparison["changes"])
        anchored = [
            (change, anchor)
            for change, anchor in zip(comparison["changes"], sides["anchors"], strict=True)
        ]
        groups = [
            (level, [pair for pair in anchored if pair[0]["level"] == level])
            for level in map(str, Level)
        ]
        groups = [(level, changes) for level, changes in groups if changes]
    context = {
        "api": api, "versions": versions, "base": base_label, "revision": revision_label,
        "comparison": comparison, "groups": groups, "sides": sides,
    }  # fmt: skip
    return render(request, "contracts/compare.html", context)


class SunsetForm(forms.Form):
    sunset_on = forms.DateField(
        label="Sunset of the old version", widget=forms.DateInput(attrs={"type": "date"})
    )


def _release(request, slug, version) -> BreakingRelease:
    api = _api(request, slug)
    return get_object_or_404(
        BreakingRelease.objects.select_related("api__provider__owner_team", "version"),
        api=api,
        version__version=version,
    )


def release_detail(request, slug, version, sunset_form=None, status=200):
    """A breaking version: what broke, which consumers it waits for, who acknowledged."""
    release = _release(request, slug, version)
    impacts = release.impacts.select_related("consumption__consumer__owner_team", "acknowledged_by")
    diff = VersionDiff.objects.filter(version=release.version).first()
    user = request.user
    context = {
        "release": release,
        "api": release.api,
        "diff": diff,
        "impacts": [
            (
                impact,
                impact.consumption is not None
                and impact.acknowledged_at is None
                and release.state == BreakingRelease.State.OPEN
                and permissions.can(user, permissions.CHANGE, impact),
            )
            for impact in impacts
        ],  # fmt: skip
        "can_sunset": permissions.can(user, permissions.CHANGE, release),
        "sunset_form": sunset_form or SunsetForm(initial={"sunset_on": release.sunset_on}),
    }
    return render(request, "contracts/release.html", context, status=status)


@require_POST
def acknowledge(request, slug, version, impact_id):
    release = _release(request, slug, version)
    impact = get_object_or_404(release.impacts, pk=impact_id)
    try:
        actions.acknowledge_breaking_version(impact, actor=request.user, via=Interface.UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{impact.consumer_slug} is ready for {release.label}.")
    return redirect(release.get_absolute_url())


@require_POST
def sunset(request, slug, version):
    release = _release(request, slug, version)
    permissions.require(request.user, permissions.CHANGE, release)
    form = SunsetForm(request.POST)
    done = perform(
        form,
        lambda data: actions.set_sunset(
            release, sunset_on=data["sunset_on"], actor=request.user, via=Interface.UI
        ),
    )
    if done is None:
        return release_detail(request, slug, version, sunset_form=form, status=400)
    messages.success(request, f"The old version of {release.api.name} sunsets on {done.sunset_on}.")
    return redirect(release.get_absolute_url())
