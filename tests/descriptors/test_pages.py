"""The Import pages: register a location by upload or git URL, import it, read the run's
report and the entities, and see on a service's page that a descriptor manages it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from descriptors import actions
from descriptors.models import Entity, ImportRun, Location
from portal.models import Interface

from .web import UPLOAD, upload_location

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_run_at_once")]


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _imported(member, team) -> ImportRun:
    location = upload_location(member, owner_team=team)
    return actions.start_import(location, actor=member, via=Interface.UI, trigger="manual")


def test_anonymous_visitors_are_sent_to_sign_in(team, member):
    run = _imported(member, team)
    for url in ("/imports/", run.location.get_absolute_url(), run.get_absolute_url()):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_member_uploads_a_file_imports_it_and_reads_the_report(team, member):
    page = _page(member)
    # when a member uploads a descriptor file for their team
    upload = SimpleUploadedFile("catalog-info.yaml", UPLOAD.encode(), "application/yaml")
    response = page.post(
        "/imports/upload/",
        {
            "upload-slug": "cart-file",
            "upload-name": "Cart",
            "upload-owner_team": "payments",
            "upload-file": upload,
        },
    )
    location = Location.objects.get(slug="cart-file")
    assert response.status_code == 302 and response["Location"] == location.get_absolute_url()
    assert location.content == UPLOAD and location.entry == "catalog-info.yaml"
    # and presses "Import now"
    assert "Import now" in page.get(location.get_absolute_url()).content.decode()
    response = page.post(f"/imports/locations/{location.slug}/import/")
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    # then the run's page shows its counts and the problem, where it was
    html = page.get(run.get_absolute_url()).content.decode()
    assert "Succeeded" in html and 'hx-trigger="every' not in html  # finished: no more polling
    assert "catalog-info.yaml" in html and "Not A Name!" in html
    assert (
        "Not A Name!" not in page.get(run.get_absolute_url(), {"level": "warning"}).content.decode()
    )
    # and the location lists its entity, whose page shows the descriptor and the service
    html = page.get(location.get_absolute_url()).content.decode()
    entity = Entity.objects.get()
    assert entity.get_absolute_url() == "/imports/entities/component/default/cart/"
    assert entity.get_absolute_url() in html and 'href="/services/cart/"' in html
    html = page.get(entity.get_absolute_url()).content.decode()
    assert "lifecycle: production" in html and 'href="/services/cart/"' in html
    # and the import page shows the location with its last run
    html = page.get("/imports/").content.decode()
    assert location.get_absolute_url() in html and run.get_absolute_url() in html


def test_a_running_import_polls_for_its_progress(team, member):
    location = upload_location(member, owner_team=team)
    run = ImportRun.objects.create(
        location=location, trigger="manual", status="running", step="reading"
    )
    html = _page(member).get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{run.get_absolute_url()}"' in html
    assert "reading" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"upload-slug": "cart-file", "upload-name": "Cart", "upload-owner_team": "payments"},
            "Upload or paste",
        ),
        (
            {
                "upload-slug": "Bad Slug",
                "upload-name": "Cart",
                "upload-owner_team": "payments",
                "upload-content": UPLOAD,
            },
            "slug",
        ),
    ],
)
def test_a_refused_upload_shows_why_on_the_form(team, member, data, message):
    response = _page(member).post("/imports/upload/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Location.objects.exists()


def test_a_git_repository_is_registered_and_a_bad_url_explained(team, member):
    page = _page(member)
    bad = page.post(
        "/imports/git/",
        {
            "git-slug": "orders",
            "git-name": "Orders",
            "git-owner_team": "payments",
            "git-target": "ssh://host/x",
        },
    )
    assert bad.status_code == 400 and "Only http:// and https://" in bad.content.decode()
    good = page.post(
        "/imports/git/",
        {
            "git-slug": "orders", "git-name": "Orders", "git-owner_team": "payments",
            "git-target": "https://git.example.com/orders.git", "git-entry": "catalog-info.yaml",
        },
    )  # fmt: skip
    assert good.status_code == 302
    assert Location.objects.get(slug="orders").type == Location.Type.GIT


def test_outsiders_may_read_but_not_import_or_delete(team, member, outsider):
    run = _imported(member, team)
    page = _page(outsider)
    html = page.get(run.location.get_absolute_url()).content.decode()
    assert "Import now" not in html and "cart" in html
    assert page.post(f"/imports/locations/{run.location.slug}/import/").status_code == 403
    assert (
        page.post(
            f"/imports/locations/{run.location.slug}/delete/", {"confirmed": "yes"}
        ).status_code
        == 403
    )
    assert ImportRun.objects.count() == 1


def test_deleting_a_location_asks_first_and_leaves_orphans(team, member):
    run = _imported(member, team)
    page = _page(member)
    url = f"/imports/locations/{run.location.slug}/delete/"
    assert "orphans" in page.post(url).content.decode() and Location.objects.exists()
    assert page.post(url, {"confirmed": "yes"})["Location"] == "/imports/"
    entity = Entity.objects.get()
    assert entity.location is None and entity.orphaned_at is not None
    assert "orphan" in page.get(entity.get_absolute_url()).content.decode()


def test_unknown_objects_are_404(member):
    page = _page(member)
    for url in (
        "/imports/locations/nowhere/",
        "/imports/runs/999999/",
        "/imports/entities/component/default/x/",
    ):
        assert page.get(url).status_code == 404, url


def test_detail_pages_say_a_location_manages_the_object(team, member):
    run = _imported(member, team)
    html = _page(member).get("/services/cart/").content.decode()
    assert "Managed by location" in html and run.location.get_absolute_url() in html
    assert "Managed by location" not in _page(member).get("/teams/payments/").content.decode()


def test_a_detail_page_says_when_its_location_no_longer_declares_the_object(team, member):
    run = _imported(member, team)
    Entity.objects.filter(ref="component:default/cart").update(orphaned_at=timezone.now())
    html = _page(member).get("/services/cart/").content.decode()
    assert "Managed by location" not in html
    assert "no longer declares" in html and run.location.get_absolute_url() in html
    assert "it is kept until someone removes it." in html  # the location keeps orphans


def test_the_import_page_costs_the_same_with_more_locations(
    team, member, django_assert_num_queries
):
    page = _page(member)
    _imported(member, team)
    page.get("/imports/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page.get("/imports/")
    for i in range(5):
        location = upload_location(member, owner_team=team, slug=f"more-{i}")
        actions.start_import(location, actor=member, via=Interface.UI, trigger="manual")
    with django_assert_num_queries(len(few)):
        page.get("/imports/")


def test_staff_paste_a_file_without_a_team_and_members_must_choose_theirs(team, member, staff):
    data = {"upload-slug": "pasted", "upload-name": "Pasted", "upload-content": UPLOAD}
    assert _page(member).post("/imports/upload/", data).status_code == 400
    assert _page(staff).post("/imports/upload/", data).status_code == 302
    assert Location.objects.get(slug="pasted").owner_team is None
