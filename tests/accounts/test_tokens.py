"""Personal API tokens: hashed, shown once, named, scoped, expiring, revocable."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import actions
from accounts.factories import ApiTokenFactory
from accounts.models import ApiToken
from portal.audit import history_for
from portal.models import Interface

SERVICES = "/api/v1/services/"
MUTATION = 'mutation { createService(input: {slug: "new-one", name: "New", ownerTeam: "payments"}) { service { slug } errors { field } } }'


def _row_values(token: ApiToken) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table} WHERE id = %s", [token.pk])
        return [str(value) for value in cursor.fetchone()]


def test_only_a_digest_of_the_key_is_stored(member):
    token = ApiTokenFactory(user=member)

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(token.key.encode()).hexdigest()
    assert token.key.startswith(stored.prefix) and len(stored.prefix) < len(token.key) // 2
    assert not any(token.key in value for value in _row_values(token))
    assert not hasattr(stored, "key")


def test_the_history_records_the_token_without_its_digest(member):
    token = ApiTokenFactory(user=member, name="ci")
    record = history_for(token).get(action="create")
    assert record.after["name"] == "ci" and record.after["prefix"] == token.prefix
    assert token.digest not in str(record.after) and token.key not in str(record.after)


def test_a_token_authenticates_rest_requests(member, service, write_token, token_client):
    response = token_client(write_token.key).get(SERVICES)
    assert response.status_code == 200
    assert [s["slug"] for s in response.json()["results"]] == ["checkout"]


def test_an_expired_token_is_refused(member, service, token_client):
    token = ApiTokenFactory(user=member, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = token_client(token.key).get(SERVICES)

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Token expired."


def test_a_token_cannot_be_created_already_expired(member):
    with pytest.raises(actions.ValidationError) as refused:
        actions.create_token(
            actor=member,
            via=Interface.UI,
            user=member,
            name="old",
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    assert "expires_at" in refused.value.message_dict


def test_nobody_creates_a_token_for_someone_else(member, staff):
    with pytest.raises(actions.PermissionDenied):
        actions.create_token(actor=staff, via=Interface.API, user=member, name="impersonate")
    assert not member.api_tokens.exists()


def test_token_names_are_unique_per_person_regardless_of_case(member, outsider):
    ApiTokenFactory(user=member, name="CI")
    ApiTokenFactory(user=outsider, name="ci")
    with pytest.raises(actions.ValidationError) as refused:
        ApiTokenFactory(user=member, name="ci")
    assert refused.value.message_dict == {"name": ["You already have a token with this name."]}


def test_one_person_has_a_bounded_number_of_tokens(member, settings):
    settings.KEEL_MAX_TOKENS_PER_USER = 2
    ApiTokenFactory(user=member)
    ApiTokenFactory(user=member)
    with pytest.raises(actions.ValidationError, match="revoke one"):
        ApiTokenFactory(user=member)
    assert member.api_tokens.count() == 2


# --- scope --------------------------------------------------------------------------------


def test_a_read_only_token_reads_but_cannot_write_over_rest(service, read_token, token_client):
    client = token_client(read_token.key)

    read = client.get(f"{SERVICES}checkout/")
    write = client.patch(f"{SERVICES}checkout/", {"tier": 1}, format="json")
    delete = client.delete(f"{SERVICES}checkout/")

    assert read.status_code == 200
    assert (write.status_code, delete.status_code) == (403, 403)
    assert "read-only" in write.json()["detail"]
    service.refresh_from_db()
    assert service.tier != 1


def test_a_read_write_token_writes_over_rest(service, write_token, token_client):
    response = token_client(write_token.key).patch(
        f"{SERVICES}checkout/", {"tier": 1}, format="json"
    )
    assert response.status_code == 200


def _graphql(client, query, key):
    return client.post(
        "/graphql/",
        {"query": query},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )


def test_a_read_only_token_queries_graphql_but_cannot_mutate(client, team, service, read_token):
    query = _graphql(client, "{ services { totalCount } }", read_token.key)
    mutation = _graphql(client, MUTATION, read_token.key)
    # a mutation hidden beside a query in one document is refused too
    both = _graphql(client, "query Q { services { totalCount } } " + MUTATION, read_token.key)

    assert query.json() == {"data": {"services": {"totalCount": 1}}}
    assert (mutation.status_code, both.status_code) == (403, 403)
    assert "read-only" in mutation.json()["errors"][0]["message"]
    assert not team.services.filter(slug="new-one").exists()


def test_a_read_write_token_mutates_graphql(client, team, write_token):
    response = _graphql(client, MUTATION, write_token.key)
    assert response.json()["data"]["createService"]["service"] == {"slug": "new-one"}


# --- last used ----------------------------------------------------------------------------


def test_last_used_is_written_at_most_once_a_minute(service, write_token, token_client):
    client = token_client(write_token.key)
    assert ApiToken.objects.get(pk=write_token.pk).last_used_at is None

    client.get(SERVICES)
    first = ApiToken.objects.get(pk=write_token.pk).last_used_at
    with CaptureQueriesContext(connection) as queries:
        client.get(SERVICES)
    statements = [query["sql"] for query in queries.captured_queries]  # before the next request
    again = ApiToken.objects.get(pk=write_token.pk).last_used_at
    # a minute later it moves again
    ApiToken.objects.filter(pk=write_token.pk).update(last_used_at=first - timedelta(seconds=61))
    client.get(SERVICES)
    later = ApiToken.objects.get(pk=write_token.pk).last_used_at

    assert first is not None and again == first
    assert statements and not any(sql.startswith("UPDATE") for sql in statements)
    assert later > first - timedelta(seconds=61)


# --- the tokens page ----------------------------------------------------------------------


def test_the_tokens_page_is_linked_from_every_page(client, member):
    client.force_login(member)
    assert b'href="/accounts/tokens/"' in client.get("/").content


def test_a_token_made_on_the_page_is_shown_once(client, member, service):
    client.force_login(member)

    created = client.post(
        "/accounts/tokens/", {"name": "laptop", "scope": "read", "expires_in": "30"}
    )
    token = member.api_tokens.get()
    key = created.context["created"].key
    later = client.get("/accounts/tokens/")

    assert created.status_code == 200 and key.encode() in created.content
    assert "no-store" in created["Cache-Control"]
    assert token.scope == "read" and token.name == "laptop"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert key.encode() not in later.content and token.prefix.encode() in later.content
    assert history_for(token).filter(interface="ui").exists()


def test_the_page_shows_what_is_wrong_with_a_new_token(client, member):
    ApiTokenFactory(user=member, name="laptop")
    client.force_login(member)
    response = client.post("/accounts/tokens/", {"name": "Laptop", "scope": "write"})
    assert response.status_code == 400
    assert b"You already have a token with this name." in response.content
    assert member.api_tokens.count() == 1


def test_revoking_on_the_page_asks_first_and_then_the_token_stops_working(
    client, member, service, write_token, token_client
):
    client.force_login(member)
    url = f"/accounts/tokens/{write_token.prefix}/revoke/"

    asked = client.get(url)
    stray = client.post(url)
    still_works = token_client(write_token.key).get(SERVICES).status_code
    revoked = client.post(url, {"confirmed": "yes"})

    assert asked.status_code == 200 and b"Revoke the token" in asked.content
    assert stray.status_code == 200 and b'name="confirmed" value="yes"' in stray.content
    assert still_works == 200 and revoked.status_code == 302
    assert token_client(write_token.key).get(SERVICES).status_code in (401, 403)
    assert history_for(write_token).filter(action="delete").exists()


def test_other_peoples_tokens_are_not_found(client, outsider, write_token):
    client.force_login(outsider)
    assert client.post(f"/accounts/tokens/{write_token.prefix}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=write_token.pk).exists()


# --- REST ---------------------------------------------------------------------------------


def test_rest_creates_a_token_and_shows_its_key_in_that_response_only(member_client, member):
    created = member_client.post("/api/v1/tokens/", {"name": "ci", "scope": "write"}, format="json")
    listed = member_client.get("/api/v1/tokens/")
    detail = member_client.get(f"/api/v1/tokens/{created.json()['prefix']}/")

    assert created.status_code == 201
    key = created.json()["key"]
    assert member.api_tokens.get().digest == hashlib.sha256(key.encode()).hexdigest()
    assert listed.json()["results"][0]["name"] == "ci"
    assert "key" not in listed.json()["results"][0] and "key" not in detail.json()
    assert key not in listed.content.decode() + detail.content.decode()


def test_rest_refuses_bad_token_fields_with_400(member_client):
    response = member_client.post(
        "/api/v1/tokens/", {"name": "", "scope": "admin", "expires_at": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "scope", "expires_at"}


def test_rest_revokes_and_lists_only_ones_own_tokens(
    member_client, member, outsider, write_token, token_client
):
    theirs = ApiTokenFactory(user=outsider)

    listed = member_client.get("/api/v1/tokens/").json()["results"]
    not_found = member_client.delete(f"/api/v1/tokens/{theirs.prefix}/")
    revoked = member_client.delete(f"/api/v1/tokens/{write_token.prefix}/")

    assert [t["prefix"] for t in listed] == [write_token.prefix]
    assert (not_found.status_code, revoked.status_code) == (404, 204)
    assert token_client(write_token.key).get(SERVICES).status_code in (401, 403)
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_token_cannot_mint_or_revoke_tokens(write_token, token_client):
    client = token_client(write_token.key)

    listed = client.get("/api/v1/tokens/")
    minted = client.post("/api/v1/tokens/", {"name": "successor"}, format="json")
    revoked = client.delete(f"/api/v1/tokens/{write_token.prefix}/")

    assert listed.status_code == 200
    assert (minted.status_code, revoked.status_code) == (403, 403)
    assert ApiToken.objects.count() == 1


# --- command and admin --------------------------------------------------------------------


def test_the_command_prints_a_working_key(member, service, token_client):
    out = StringIO()
    call_command("create_token", member.username, "--name", "ci", "--days", "7", stdout=out)
    token = member.api_tokens.get()

    assert token_client(out.getvalue().strip()).get(SERVICES).status_code == 200
    assert token.scope == "read" and token.expires_at is not None
    assert history_for(token).filter(interface="cli").exists()


def test_the_command_explains_a_refusal(member):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_token", "nobody", "--name", "ci")
    ApiTokenFactory(user=member, name="ci")
    with pytest.raises(CommandError, match="already have"):
        call_command("create_token", member.username, "--name", "ci")


def test_the_admin_lists_and_revokes_tokens_but_never_creates_them(client, member, write_token):
    from portal.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listed = client.get("/admin/accounts/apitoken/")
    add = client.get("/admin/accounts/apitoken/add/")
    deleted = client.post(f"/admin/accounts/apitoken/{write_token.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200 and write_token.prefix.encode() in listed.content
    assert write_token.digest.encode() not in listed.content
    assert add.status_code == 403 and deleted.status_code == 302
    assert not ApiToken.objects.exists()
    assert history_for(write_token).get(action="delete").interface == "admin"


def test_an_empty_form_is_refused_with_field_errors(client, member):
    client.force_login(member)
    response = client.post("/accounts/tokens/", {})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert not member.api_tokens.exists()


def test_rest_refuses_a_duplicate_name_and_a_past_expiry_with_400(member_client, member):
    ApiTokenFactory(user=member, name="ci")
    duplicate = member_client.post("/api/v1/tokens/", {"name": "CI"}, format="json")
    past = member_client.post(
        "/api/v1/tokens/", {"name": "old", "expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    assert past.status_code == 400 and "expires_at" in past.json()
    assert member.api_tokens.count() == 1
