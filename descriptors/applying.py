"""The bulk write of one location's entities (``descriptors.actions.import_entities`` runs it
in its transaction): which entities are unchanged, claimed elsewhere, new, changed or gone,
and the rows, relations and history each asks for.

Every team, account, system, domain, service, API and version goes through the checks its
single-object action makes (``portal.writes.problem`` is ``full_clean`` without the per-row
uniqueness queries, which are answered for the whole batch from one read). Consumptions and
dependencies are built only between rows this import resolved, so what their actions check
holds by construction (the API exists and is not the consumer's own, one edge per pair, no
edge to itself, the dependency a consumption implies), and the database's constraints refuse
anything else; they are written as rows, tens of thousands of them, each with the record a
save gives it (``portal.writes.save_new_rows``). Permission is decided on the locked team rows, and each created or changed
object gets its ChangeRecord; the statements are batched so that their number does not grow
with the catalog. One entity's refusal is a problem in the report, never a reason
to stop the others; a refusal the checks missed and the database caught rolls back the whole
import.
"""

import hashlib
import json
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from catalog import documents, publishing
from catalog.actions import follow_service_owner, implied_dependency
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    Dependency,
    Resource,
    Service,
    System,
    Tag,
)
from portal import copying, permissions
from portal.api.bulk_render import among
from portal.audit import Records, snapshot
from portal.models import ChangeRecord
from portal.writes import delete, problem, save_changes_many, save_new_many, save_new_rows
from teams.models import Membership, Team

from . import mapping, removing
from .models import Entity, ImportProblem, Location

_CHUNK = 900  # SQLite's limit on variables per statement is 999
_MODELS = {
    "team": Team,
    "business_domain": BusinessDomain,
    "system": System,
    "service": Service,
    "api": Api,
    "resource": Resource,
}


def digest(entity) -> str:
    """The entity as read, canonically: equal digests mean nothing to do."""
    text = json.dumps(entity.raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _by_slug(model, slugs) -> dict:
    """``{slug: object}`` of a model (or a queryset) for the slugs that exist."""
    rows = model._default_manager.all() if isinstance(model, type) else model
    found = {}
    for chunk in _chunks(set(slugs)):
        for obj in rows.filter(slug__in=chunk):
            found[obj.slug] = obj
    return found


def _locking(model):
    """The rows an import may change, locked as every writer locks them (after the teams,
    in id order), so that a portal write to one waits instead of being overwritten; read with
    what their snapshots and owners show, which would otherwise be a query per row."""
    meta = model._meta
    related = {field.name for field in meta.concrete_fields if field.many_to_one}
    if "__" in model.owner_team_path:
        related.add(model.owner_team_path)
    return (
        model._default_manager.select_for_update(no_key=True, of=("self",))
        .select_related(*sorted(related))
        .prefetch_related(*[field.name for field in meta.many_to_many])
        .order_by("pk")
    )


def _message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(e.messages)}" if name != "__all__" else " ".join(e.messages)
            for name, e in ((n, ValidationError(v)) for n, v in error.error_dict.items())
        )
    return " ".join(error.messages)


class Apply:
    """One import of ``entities`` (already read and checked for their envelope) for
    ``location``, acting as ``actor``. ``run()`` writes and returns the counts."""

    def __init__(self, *, actor, via: str, location, entities, problems, report):
        self.actor, self.via, self.location = actor, via, location
        self.entities = entities
        self.problems = problems  # met reading: they say which files were not read whole
        self.report = report  # report(level, entity, message)
        self.counts = defaultdict(int)
        self.objects = {}  # (model, slug) -> object written or found
        self.staff = permissions.administers(actor)
        self.refused_refs = set()
        self.seen = set()  # field values that passed their checks (portal.writes.problem)

    # --- helpers ----------------------------------------------------------------------

    def refuse(self, entity, message: str) -> None:
        self.report(ImportProblem.Level.ERROR, entity, message)
        if str(entity.ref) not in self.refused_refs:
            self.refused_refs.add(str(entity.ref))
            self.counts["refused"] += 1

    def refuse_want(self, want, message: str) -> None:
        """Refuse what ``want`` asks; an API a service lists inline is refused alone, the
        service's entity stays."""
        if want.inline:
            self.warn(want.entity, f"Not imported: {message}")
        else:
            self.refuse(want.entity, message)

    def warn(self, entity, message: str) -> None:
        self.report(ImportProblem.Level.WARNING, entity, message)

    def may_write(self, team, want) -> bool:
        """Staff write anything; a team's location writes what that team owns, when the
        actor may act as that team (checked on the locked team row)."""
        if self.staff:
            return True
        owner = self.location.owner_team_id
        if owner is None or team is None or team.pk != owner:
            self.refuse_want(
                want,
                f"{want.entity.ref} is owned by {team.slug if team else 'nobody'}; this location "
                "may only write what its own team owns.",
            )
            return False
        return True

    # --- the import -------------------------------------------------------------------

    def run(self) -> dict:
        self.claim()
        wanted = self.wants()
        self.locked_teams()
        self.users(wanted["user"])
        self.teams(wanted["team"])
        self.memberships(wanted)
        for model in ("business_domain", "system"):
            self.owned(model, wanted[model])
        self.services(wanted["service"])
        self.apis(wanted["api"], wanted["service"])
        self.resources(wanted["resource"])
        self.relations(wanted["service"])
        self.resource_edges(wanted["service"], wanted["resource"])
        self.store_entities()
        self.orphans()
        return dict(self.counts)

    def claim(self) -> None:
        """Split the entities into unchanged, claimed by another location, and to write. The
        stored rows are compared by their keys alone: only those to write are loaded."""
        refs = [str(entity.ref) for entity in self.entities]
        keys = {}  # ref -> (location id, digest, orphaned)
        for chunk in _chunks(refs):
            for ref, location, digest_, orphaned_at in Entity.objects.filter(
                ref__in=chunk
            ).values_list("ref", "location_id", "digest", "orphaned_at"):
                keys[ref] = (location, digest_, orphaned_at is not None)
        self.digests = {}
        self.writing = []
        claimed_by = {}  # ref -> the other location's id
        for entity in self.entities:
            ref = str(entity.ref)
            stored = keys.get(ref)
            self.digests[ref] = digest(entity)
            if stored is None:
                self.writing.append(entity)
                continue
            location, digest_, orphaned = stored
            if location not in (None, self.location.pk) and not orphaned:
                claimed_by[ref] = (entity, location)
            elif location == self.location.pk and digest_ == self.digests[ref] and not orphaned:
                self.counts["unchanged"] += 1
            else:
                self.writing.append(entity)
        slugs = dict(
            Location.objects.filter(pk__in={pk for _, pk in claimed_by.values()}).values_list(
                "pk", "slug"
            )
        )
        for entity, location in claimed_by.values():
            self.refuse(
                entity,
                f"{entity.ref} is already managed by location {slugs[location]}: "
                "an entity belongs to one location; remove it from one of them.",
            )
        self.stored = {}
        rows = Entity.objects.defer("descriptor")
        for chunk in _chunks(str(entity.ref) for entity in self.writing if str(entity.ref) in keys):
            for row in rows.filter(ref__in=chunk):
                self.stored[row.ref] = row

    def wants(self) -> dict:
        wanted = defaultdict(list)
        self.provider_of = {}  # API slug -> providing service slug, from every component
        for entity in self.entities:
            if entity.ref.kind == "component":
                for value in entity.spec.get("providesApis") or []:
                    try:
                        api = mapping.slug_of(
                            mapping.parse_ref(
                                value, default_kind="api", default_namespace=entity.ref.namespace
                            )
                        )
                    except (mapping.RefError, mapping.Refused):
                        continue
                    self.provider_of.setdefault(api, mapping.slug_of(entity.ref))
        self.wanted_of = {}
        for entity in self.writing:
            try:
                want = mapping.wanted(entity)
            except mapping.Refused as error:
                self.refuse(entity, str(error))
                continue
            for warning in want.warnings:
                self.warn(entity, warning)
            self.wanted_of[str(entity.ref)] = want
            wanted[want.model].append(want)
            for api in want.inline_apis:
                self.provider_of.setdefault(api.slug, want.slug)
                wanted["api"].append(api)
        return wanted

    def locked_teams(self) -> None:
        """Every team this import may write under, locked (in id order, as every writer
        locks): the owners it names and the owners of what it changes."""
        slugs = {w.owner.name for w in self.wanted_of.values() if w.owner is not None}
        teams = Team.objects.filter(Q(slug__in=list(slugs)) | Q(pk=self.location.owner_team_id))
        self.teams_by_slug = {
            team.slug: team for team in teams.select_for_update(no_key=True).order_by("pk")
        }
        if not self.staff and self.location.owner_team_id:
            team = next(
                (t for t in self.teams_by_slug.values() if t.pk == self.location.owner_team_id),
                None,
            )
            permissions.require(self.actor, permissions.CONTRIBUTE, team)

    # --- accounts and teams -----------------------------------------------------------

    def _staff_only(self, wanted) -> list:
        if self.staff:
            return wanted
        for want in wanted:
            self.refuse(want.entity, f"{want.entity.ref}: only staff import groups and users.")
        return []

    def users(self, wanted) -> None:
        User = get_user_model()
        wanted = self._staff_only(wanted)
        names = {w.slug.lower() for w in wanted}
        emails = {w.fields["email"].lower() for w in wanted if w.fields.get("email")}
        found = {}
        for chunk in _chunks(names):
            for user in User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk):
                found[user.username.lower()] = user
        by_email = defaultdict(list)
        for chunk in _chunks(emails):
            for user in User.objects.annotate(lower=Lower("email")).filter(lower__in=chunk):
                by_email[user.email.lower()].append(user)
        new, changed = [], []
        for want in wanted:
            email = want.fields.get("email", "").lower()
            user = found.get(want.slug.lower()) or (
                by_email[email][0] if email and len(by_email[email]) == 1 else None
            )
            created = user is None
            if created:
                user = User(username=want.slug, **want.fields)
                user.set_unusable_password()
                error = problem(user, seen=self.seen)
                if error is not None:
                    self.refuse(want.entity, f"{want.entity.ref}: {_message(error)}")
                    continue
                new.append(user)
            else:
                before = snapshot(user)
                for name, value in want.fields.items():
                    if value:
                        setattr(user, name, value)
                if snapshot(user) != before:
                    changed.append((user, before))
            self.objects["user", want.slug.lower()] = user
            self.count(want, created)
        save_new_many(new, actor=self.actor, via=self.via)
        save_changes_many(
            changed, actor=self.actor, via=self.via, fields=["email", "first_name", "last_name"]
        )

    def count(self, want, created: bool) -> None:
        if want.inline:  # counted with its service's entity
            return
        stored = self.stored.get(str(want.entity.ref))
        self.counts["created" if created and stored is None else "updated"] += 1

    def teams(self, wanted) -> None:
        """Teams first, then their parents: a parent may come later in the same import."""
        wanted = self._staff_only(wanted)
        existing = _by_slug(_locking(Team), [w.slug for w in wanted])
        new, stored = [], []  # stored: (want, team, snapshot before this import changed it)
        for want in wanted:
            fields = {k: v for k, v in want.fields.items() if k in {"name", "description", "email"}}
            team = existing.get(want.slug)
            if team is None:
                team = Team(slug=want.slug, **fields)
                error = problem(team, seen=self.seen)
                if error is not None:
                    self.refuse(want.entity, f"{want.entity.ref}: {_message(error)}")
                    continue
                new.append(team)
                self.count(want, True)
            else:
                stored.append((want, team, snapshot(team)))
                for name, value in fields.items():
                    setattr(team, name, value)
                self.count(want, False)
            self.objects["team", want.slug] = team
            self.teams_by_slug[want.slug] = team
        save_new_many(new, actor=self.actor, via=self.via)
        parents = {}
        for want in wanted:
            for child in want.children:
                parents.setdefault(child, want.slug)
            if want.parent:
                parents[want.slug] = want.parent
        teams = {**_by_slug(Team, set(parents.values())), **self.teams_by_slug}
        fresh = {id(team) for team in new}
        changed = stored + [
            (want, team, snapshot(team, {"members": []}))  # no members yet: they come next
            for want in wanted
            if (team := self.objects.get(("team", want.slug))) is not None
            and id(team) in fresh
            and want.slug in parents
        ]
        kept = []
        for want, team, before in changed:
            team.parent = teams.get(parents.get(want.slug, ""))
            error = problem(team)  # a parent that makes a loop, for one
            if error is not None:
                self.refuse(want.entity, f"{want.entity.ref}: {_message(error)}")
                continue
            kept.append((team, before))
        save_changes_many(
            kept, actor=self.actor, via=self.via, fields=["name", "description", "email", "parent"]
        )

    def memberships(self, wanted) -> None:
        """Add the memberships groups and users declare, up to each team's size limit."""
        pairs = set()
        for want in wanted["team"]:
            pairs |= {(want.slug, username.lower()) for username in want.members}
        for want in wanted["user"]:
            pairs |= {(team, want.slug.lower()) for team in want.member_of}
        if not pairs:
            return
        teams = {**_by_slug(Team, {t for t, _ in pairs}), **self.teams_by_slug}
        User = get_user_model()
        users = {key: obj for (kind, key), obj in self.objects.items() if kind == "user" and obj.pk}
        missing = {u for _, u in pairs} - set(users)
        for chunk in _chunks(missing):
            for user in User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk):
                users[user.username.lower()] = user
        team_ids = [t.pk for t in teams.values() if t.pk]
        held = defaultdict(set)
        for team_id, user_id in Membership.objects.filter(team_id__in=team_ids).values_list(
            "team_id", "user_id"
        ):
            held[team_id].add(user_id)
        limit = Team.size_limit()
        new, records = [], Records(actor=self.actor, via=self.via)
        entity_of = {w.slug: w.entity for w in wanted["team"]}
        for team_slug in sorted({t for t, _ in pairs}):
            team = teams.get(team_slug)
            if team is None or team.pk is None:
                continue
            joining = sorted(
                (users[u] for t, u in pairs if t == team_slug and u in users),
                key=lambda user: user.username,
            )
            joining = [u for u in joining if u.pk not in held[team.pk] and u.is_active]
            room = max(limit - len(held[team.pk]), 0)
            if len(joining) > room:
                left = ", ".join(u.username for u in joining[room:][:20])
                entity = entity_of.get(team_slug) or wanted["user"][0].entity
                self.warn(
                    entity,
                    f"Team {team_slug} can hold {limit} members (the two-pizza limit) and has "
                    f"{len(held[team.pk])}: {len(joining) - room} not added ({left}). Split the "
                    "group or raise KEEL_TEAM_SIZE_LIMIT.",
                )
            for user in joining[:room]:
                membership = Membership(team=team, user=user)
                new.append(membership)
                held[team.pk].add(user.pk)
                records.add(
                    action=ChangeRecord.Action.ADD_MEMBER,
                    obj=team,
                    after={"user": user.get_username(), "role": membership.role},
                )
        copying.insert(new)
        records.write()

    # --- what teams own ---------------------------------------------------------------

    def owner(self, want):
        """The owning team: a group's team, or the team of a user who is in exactly one."""
        ref = want.owner
        if ref.kind == "group":
            try:
                slug = mapping.slug_of(ref)
            except mapping.Refused as error:
                self.refuse_want(want, str(error))
                return None
            team = self.teams_by_slug.get(slug) or _by_slug(Team, [slug]).get(slug)
            if team is None or team.pk is None:
                self.refuse_want(
                    want,
                    f"{want.entity.ref} is owned by {ref}, which is not a team in Keel.",
                )
                return None
            return team
        teams = list(Team.objects.filter(memberships__user__username__iexact=ref.name)[:2])
        if len(teams) != 1:
            self.refuse_want(
                want,
                f"{want.entity.ref} is owned by user {ref.name}, who is in "
                f"{'no team' if not teams else 'more than one team'}: Keel needs an owning "
                "team; name a group as owner, or put the user in exactly one team.",
            )
            return None
        return teams[0]

    def owned(self, model: str, wanted, extra=None) -> list:
        """Create or update what ``wanted`` asks of ``model`` (owner, own fields and the
        relations ``extra(want, obj)`` sets); returns ``(want, obj)`` of the stored rows."""
        Model = _MODELS[model]
        existing = _by_slug(_locking(Model), [w.slug for w in wanted])
        systems = _by_slug(System, {w.system for w in wanted if w.system})
        domains = _by_slug(BusinessDomain, {w.business_domain for w in wanted if w.business_domain})
        new, changed = [], []
        for want in wanted:
            team = self.owner(want) if want.owner is not None else None
            if want.owner is not None and team is None:
                continue
            obj = existing.get(want.slug)
            if obj is not None and not self.may_write(obj_team(obj), want):
                continue
            if team is not None and not self.may_write(team, want):
                continue
            before = None
            if obj is None:
                obj = Model(slug=want.slug)
            else:
                before = snapshot(obj)
            for name, value in want.fields.items():
                setattr(obj, name, value)
            if team is not None:
                obj.owner_team = team
            if hasattr(obj, "system_id"):
                obj.system = systems.get(want.system)
                self.missing(want, want.system, obj.system, "system")
            if model == "system":
                obj.business_domain = domains.get(want.business_domain)
                self.missing(want, want.business_domain, obj.business_domain, "domain")
            if extra is not None and not extra(want, obj):
                continue
            error = problem(obj, seen=self.seen)
            if error is not None:
                self.refuse_want(want, f"{want.entity.ref}: {_message(error)}")
                continue
            self.objects[model, want.slug] = obj
            (new if before is None else changed).append((want, obj, before))
        tags = self.tags(new + changed) if model == "service" else None
        save_new_many(
            [obj for _, obj, _ in new],
            actor=self.actor,
            via=self.via,
            m2m=[{"tags": tags[id(obj)]} for _, obj, _ in new] if tags else None,
        )
        fields = sorted({n for w, _, _ in changed for n in w.fields} | self.relation_fields(model))
        save_changes_many(
            [(obj, before) for _, obj, before in changed],
            actor=self.actor,
            via=self.via,
            fields=fields,
            m2m={"tags": [tags[id(obj)] for _, obj, _ in changed]} if tags else None,
        )
        if model == "service" and changed:  # a service's resources follow its owner
            follow_service_owner([obj for _, obj, _ in changed], actor=self.actor, via=self.via)
        for want, _, before in new + changed:
            self.count(want, before is None)
        return [(want, obj) for want, obj, _ in new + changed]

    @staticmethod
    def relation_fields(model: str) -> set:
        return {
            "business_domain": {"owner_team"},
            "system": {"owner_team", "business_domain"},
            "service": {"owner_team", "system"},
            "api": {"system", "provider"},
            "resource": {"owner_team", "system", "service"},
        }[model]

    def missing(self, want, slug, found, kind) -> None:
        if slug and found is None:
            self.warn(
                want.entity,
                f"{want.entity.ref} names {kind} {slug}, which does not exist: kept as a "
                "dangling relation in the descriptor.",
            )

    def tags(self, rows) -> dict:
        names = {name for want, _, _ in rows for name in want.tags}
        known = {tag.name: tag for tag in Tag.objects.filter(name__in=list(names))}
        fresh = [Tag(name=name) for name in sorted(names - set(known))]
        copying.insert(fresh)
        records = Records(actor=self.actor, via=self.via)
        for tag in fresh:
            records.add(action=ChangeRecord.Action.CREATE, obj=tag, after=snapshot(tag))
        records.write()
        known.update({tag.name: tag for tag in fresh})
        return {id(obj): [known[name] for name in want.tags] for want, obj, _ in rows}

    def services(self, wanted) -> None:
        self.owned("service", wanted)

    def resources(self, wanted) -> None:
        """Resources are owned by a team; one that names its service (``keel/service``)
        belongs to it when the service has the same owner (``Resource.clean``'s rule)."""
        services = self.known("service", Service, {w.service for w in wanted if w.service})

        def service(want, resource):
            found = services.get(want.service) if want.service else None
            if want.service and found is None:
                self.warn(
                    want.entity,
                    f"{want.entity.ref} names service {want.service}, which does not exist in "
                    "Keel: kept as a resource of its team.",
                )
            elif found is not None and found.owner_team_id != resource.owner_team_id:
                self.warn(
                    want.entity,
                    f"{want.entity.ref} names service {found.slug}, which another team owns "
                    f"({found.owner_team.slug}): kept as a resource of its own team.",
                )
                found = None
            resource.service = found
            return True

        self.owned("resource", wanted, extra=service)

    def apis(self, wanted, services) -> None:
        """APIs hang under the component that provides them: one named by no component is
        kept as an entity only."""
        for want in services:
            for api in want.provides:
                if self.provider_of.get(api) != want.slug:
                    self.warn(
                        want.entity,
                        f"{want.entity.ref} provides api {api}, which "
                        f"{self.provider_of.get(api)} provides too: Keel keeps the first.",
                    )
        providers = self.known("service", Service, set(self.provider_of.values()))

        def provider(want, api):
            service = providers.get(self.provider_of.get(want.slug, ""))
            if service is None or service.pk is None:
                self.warn(
                    want.entity,
                    f"{want.entity.ref}: no component in Keel provides this API "
                    "(spec.providesApis), and Keel keeps an API under the service that "
                    "provides it: kept as an entity only.",
                )
                want.model = ""
                return False
            api.provider = service
            return True

        written = self.owned("api", wanted, extra=provider)
        self.versions(written)

    def versions(self, written) -> None:
        """Each definition that differs from the API's latest is published as a version,
        through the same validation as every publish; a refused one is a warning."""
        latest = {}
        apis = among([api.pk for _, api in written])
        for version in ApiVersion.objects.filter(api__in=apis).order_by(
            "api", "-published_at", "-id"
        ):
            latest.setdefault(version.api_id, version)
        taken = defaultdict(set)
        for api_id, label in ApiVersion.objects.filter(api__in=apis).values_list(
            "api_id", "version"
        ):
            taken[api_id].add(label)
        new = []
        for want, api in written:
            text = want.definition
            digest_ = hashlib.sha256(text.encode()).hexdigest()
            current = latest.get(api.pk)
            if not text.strip() or (current is not None and current.digest == digest_):
                continue
            label = _label(text, taken[api.pk])
            version = ApiVersion(api=api, version=label, spec=text)
            error = problem(version)
            if error is not None:
                self.warn(
                    want.entity, f"{want.entity.ref}: definition not published: {_message(error)}"
                )
                continue
            taken[api.pk].add(label)
            new.append((want, version))
        # The publishing policy's refusals (a breaking change without a major version) are
        # warnings like the validator's: the definition stays unpublished until it is fixed.
        refused = publishing.refusals([version for _, version in new])
        for (want, _), error in zip(new, refused, strict=True):
            if error is not None:
                self.warn(
                    want.entity, f"{want.entity.ref}: definition not published: {_message(error)}"
                )
        new = [version for (_, version), error in zip(new, refused, strict=True) if error is None]
        save_new_many(new, actor=self.actor, via=self.via)
        publishing.published(new, actor=self.actor, via=self.via)

    def relations(self, services) -> None:
        """Consumptions and dependencies of each written component: exactly what it declares
        (plus the dependencies its consumptions imply), the rest removed with history."""
        written = [(w, self.objects.get(("service", w.slug))) for w in services]
        written = [(w, s) for w, s in written if s is not None and s.pk]
        if not written:
            return
        ids = [s.pk for _, s in written]
        apis = self.known(
            "api",
            Api.objects.select_related("provider"),
            {a for w, _ in written for a in w.consumes},
        )
        targets = self.known("service", Service, {d for w, _ in written for d in w.depends_on})
        consumed = defaultdict(dict)
        for row in ApiConsumption.objects.filter(consumer_id__in=among(ids)).select_related("api"):
            consumed[row.consumer_id][row.api_id] = row
        edges = defaultdict(dict)
        for row in Dependency.objects.filter(
            source_id__in=among(ids), target_service__isnull=False
        ):
            edges[row.source_id][row.target_service_id] = row
        add_consumptions, add_edges, gone = [], [], []
        implied_by = {}  # API id -> the dependency consuming it implies (its kind, its text)
        for want, service in written:
            keep_apis, keep_edges = set(), set()
            held = edges[service.pk]
            for slug in want.consumes:
                api = apis.get(slug)
                if api is None:
                    self.warn(
                        want.entity,
                        f"{want.entity.ref} consumes api {slug}, which does not exist in Keel: kept as a dangling relation.",
                    )
                    continue
                if api.provider_id == service.pk:
                    continue
                keep_apis.add(api.pk)
                if api.pk not in consumed[service.pk]:
                    add_consumptions.append({"consumer": service, "api": api})
                target = api.provider_id
                if target not in held and target not in keep_edges:
                    implied = implied_by.get(api.pk)
                    if implied is None:
                        implied = implied_by[api.pk] = implied_dependency(service, api)
                    add_edges.append(
                        {"source": service, "target_service": api.provider,
                         "kind": implied.kind, "description": implied.description}
                    )  # fmt: skip
                keep_edges.add(target)
            for slug in want.depends_on:
                target = targets.get(slug)
                if target is None:
                    self.warn(
                        want.entity,
                        f"{want.entity.ref} depends on component {slug}, which does not exist in Keel: kept as a dangling relation.",
                    )
                    continue
                if target.pk == service.pk or target.pk in keep_edges:
                    continue
                if target.pk not in held:
                    add_edges.append({"source": service, "target_service": target})
                keep_edges.add(target.pk)
            gone += [c for api_id, c in consumed[service.pk].items() if api_id not in keep_apis]
            gone += [e for target, e in held.items() if target not in keep_edges]
        for row in gone:  # few: a changed descriptor's removals, each with its cascade
            delete(row, actor=self.actor, via=self.via)
        # tens of thousands: written as rows, with the records and documents a save gives
        save_new_rows(
            ApiConsumption, add_consumptions, actor=self.actor, via=self.via,
            text=lambda row: f"{row['consumer'].slug} consumes {row['api'].slug}",
        )  # fmt: skip
        save_new_rows(
            Dependency, add_edges, actor=self.actor, via=self.via,
            text=lambda row: f"{row['source'].slug} → {row['target_service']}",
        )  # fmt: skip
        documents.refresh(
            {row["consumer"].pk for row in add_consumptions}
            | {row[end].pk for row in add_edges for end in ("source", "target_service")}
        )

    def resource_edges(self, services, resources) -> None:
        """Dependencies of services on resources, declared on either end (a component's
        ``dependsOn: resource:…``, a resource's ``dependencyOf: component:…``) anywhere in
        the location. An edge goes when the end that declared it is written again without
        it: the source service, or the resource, when this location also declares the
        source."""
        sources, targets = set(), set()  # what this import writes
        for want in services:
            service = self.objects.get(("service", want.slug))
            if service is not None and service.pk:
                sources.add(service.pk)
        for want in resources:
            resource = self.objects.get(("resource", want.slug))
            if resource is not None and resource.pk:
                targets.add(resource.pk)
        if not sources and not targets:
            return
        declared = {}  # (service slug, resource slug) -> the entity that declares it
        located = set()  # the location's components, written or not
        for entity in self.entities:
            if entity.ref.kind not in ("component", "service", "resource"):
                continue
            want = self.wanted_of.get(str(entity.ref))
            if want is None:
                try:
                    want = mapping.wanted(entity)
                except mapping.Refused:
                    continue
            if want.model == "service":
                located.add(want.slug)
                declared.update({(want.slug, r): want for r in want.depends_on_resources})
            else:
                declared.update({(s, want.slug): want for s in want.dependency_of})
        found = {
            "service": self.known(
                "service", Service.objects.select_related("owner_team"), {s for s, _ in declared}
            ),
            "resource": self.known("resource", Resource, {r for _, r in declared}),
        }
        held = {}
        for row in Dependency.objects.filter(
            Q(source_id__in=among(list(sources))) | Q(target_resource_id__in=among(list(targets))),
            target_resource__isnull=False,
        ).select_related("source", "target_resource"):
            held[row.source_id, row.target_resource_id] = row
        add, keep = [], set()
        for (source_slug, resource_slug), want in declared.items():
            source = found["service"].get(source_slug)
            resource = found["resource"].get(resource_slug)
            written = str(want.entity.ref) in self.wanted_of
            if source is None or resource is None:
                if not written:  # said when its own entity was written
                    continue
                missing = (
                    f"component {source_slug}" if source is None else f"resource {resource_slug}"
                )
                self.warn(
                    want.entity,
                    f"{want.entity.ref}: the dependency of {source_slug} on {resource_slug} names "
                    f"{missing}, which does not exist in Keel: kept as a dangling relation.",
                )
                continue
            pair = (source.pk, resource.pk)
            if pair in keep or (source.pk not in sources and resource.pk not in targets):
                keep.add(pair)
                continue
            keep.add(pair)
            if pair in held:
                continue
            if not self.staff and source.owner_team_id != self.location.owner_team_id:
                # the edge is the depending service's, so its team's (a component's own
                # declaration passed this check when the component was written)
                self.warn(
                    want.entity,
                    f"{want.entity.ref}: the dependency of {source_slug} on {resource_slug} is "
                    f"not added: {source_slug} is owned by {source.owner_team.slug}, and this "
                    "location writes only what its own team owns.",
                )
                continue
            add.append({"source": source, "target_resource": resource})
        gone = [
            row
            for pair, row in held.items()
            if pair not in keep and (row.source_id in sources or row.source.slug in located)
        ]
        for row in gone:
            delete(row, actor=self.actor, via=self.via)
        save_new_rows(
            Dependency, add, actor=self.actor, via=self.via,
            text=lambda row: f"{row['source'].slug} → {row['target_resource']}",
        )  # fmt: skip
        documents.refresh({row["source"].pk for row in add})

    def known(self, model: str, rows, slugs) -> dict:
        """``{slug: object}`` for ``slugs``: what this import wrote, and the rest read from
        ``rows`` (a model or a queryset), not read again."""
        found = {}
        for slug in slugs:
            obj = self.objects.get((model, slug))
            if obj is not None and obj.pk is not None:
                found[slug] = obj
        return {**_by_slug(rows, set(slugs) - set(found)), **found}

    # --- the entities -----------------------------------------------------------------

    def store_entities(self) -> None:
        """The descriptor rows: what export writes back, and which location manages what.
        New ones are written as rows (ten thousand on a first import)."""
        now = timezone.now()
        types = {
            model: ContentType.objects.get_for_model(Model)
            for model, Model in {**_MODELS, "user": get_user_model()}.items()
        }
        new, changed = [], []
        refused = self.refused_refs
        for entity in self.writing:
            ref = str(entity.ref)
            if ref in refused:
                continue
            want = self.wanted_of.get(ref)
            obj = None
            if want is not None and want.model:
                obj = self.objects.get(
                    (want.model, want.slug.lower() if want.model == "user" else want.slug)
                )
            target = obj is not None and obj.pk is not None
            values = {
                "kind": entity.kind,
                "namespace": entity.metadata.get("namespace") or "default",
                "name": entity.metadata["name"],
                "location": self.location,
                "source": entity.source,
                "document": entity.document,
                "descriptor": entity.raw,
                "digest": self.digests[ref],
                "target_type": types[want.model] if target else None,
                "target_id": obj.pk if target else None,
                "owner_team": obj_team(obj) if target else self.entity_owner(want),
                "orphaned_at": None,
            }
            row = self.stored.get(ref)
            if row is None:
                new.append({"ref": ref, **values})
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_at = now
                changed.append(row)
            if not target:
                self.counts["created" if row is None else "updated"] += 1
        self.insert_entities(new, now)
        self.record_entities(changed)
        copying.update(
            changed,
            ["kind", "namespace", "name", "location", "source", "document", "descriptor",
             "digest", "target_type", "target_id", "owner_team", "orphaned_at", "updated_at"],
        )  # fmt: skip

    def insert_entities(self, new: list[dict], now) -> None:
        """What Keel keeps as an entity only (a Template, a Location) has no other history:
        its creation is recorded on the entity row (the ``descriptor`` itself stays out of
        history, as an object's text does). The others are the bookkeeping of objects that
        have their own."""
        save_new_rows(
            Entity,
            [values for values in new if values["target_id"] is None],
            actor=self.actor,
            via=self.via,
            text=lambda values: values["ref"],
        )
        names = ("ref", "kind", "namespace", "name", "location", "source", "document",
                 "descriptor", "digest", "target_type", "target_id", "owner_team", "orphaned_at")  # fmt: skip
        copying.insert_rows(
            Entity,
            (*(Entity._meta.get_field(name).attname for name in names), "created_at", "updated_at"),
            [
                (*(_key(values[name]) for name in names), now, now)
                for values in new
                if values["target_id"] is not None
            ],
        )

    def record_entities(self, changed) -> None:
        """The changes of what Keel keeps as an entity only (see ``insert_entities``)."""
        records = Records(actor=self.actor, via=self.via)
        for row in changed:
            if row.target_id is None:
                records.add(action=ChangeRecord.Action.UPDATE, obj=row, after=snapshot(row))
        records.write()

    def entity_owner(self, want):
        """The team owning what Keel keeps as an entity only; a dangling owner is said."""
        if want is None or want.owner is None or want.owner.kind != "group":
            return None
        try:
            slug = mapping.slug_of(want.owner)
        except mapping.Refused as error:
            self.warn(want.entity, str(error))
            return None
        team = self.teams_by_slug.get(slug) or _by_slug(Team, [slug]).get(slug)
        if team is None:
            self.warn(want.entity, f"Its owner {want.owner} is not a team in Keel.")
        return team

    def orphans(self) -> None:
        """What the location declared before and no longer does. A file that could not be
        read whole (a syntax error, a document refused without a name) says nothing about
        what it declared, and an entity refused this time is still declared: those are left
        as they were. The others become orphans, marked and recorded; when the location
        removes orphans, their catalog objects are deleted through the actions (a refused
        deletion leaves the orphan, reported)."""
        declared = {str(entity.ref) for entity in self.entities} | self.refused_refs
        declared |= {problem.ref for problem in self.problems if problem.ref}
        troubled = {problem.source for problem in self.problems if not problem.ref}
        kept = Entity.objects.filter(location=self.location, orphaned_at__isnull=True)
        gone = [
            pk
            for pk, ref, source in kept.values_list("pk", "ref", "source")
            if ref not in declared and source not in troubled
        ]
        gone = [
            row
            for chunk in _chunks(gone)
            for row in Entity.objects.filter(pk__in=chunk).defer("descriptor")
        ]
        now = timezone.now()
        for row in gone:
            row.orphaned_at = now
        copying.update(gone, ["orphaned_at"])
        records = Records(actor=self.actor, via=self.via)
        for row in gone:
            records.add(
                action=ChangeRecord.Action.UPDATE,
                obj=row,
                before={"orphaned": False},
                after={"orphaned": True, "location": self.location.slug},
            )
        records.write()
        if not self.location.remove_orphans:
            self.counts["orphaned"] += len(gone)
            return
        for row in sorted(gone, key=lambda row: _REMOVAL_ORDER.get(row.kind.lower(), 0)):
            try:
                removing.remove(row, actor=self.actor, via=self.via)
            except ValidationError as error:
                self.counts["orphaned"] += 1
                self.report(
                    ImportProblem.Level.WARNING,
                    row,
                    f"{row.ref} is no longer declared and was not removed, so it stays as an "
                    f"orphan: {_message(error)}",
                )
            else:
                self.counts["removed"] += 1


# What goes first when orphans are removed: an API before its service, services before the
# systems and teams that hold them.
_REMOVAL_ORDER = {
    "api": 0, "component": 1, "service": 1, "resource": 2, "system": 2, "domain": 3, "group": 4
}  # fmt: skip


def _key(value):
    """A row's value of a field: a related object by its key."""
    return value.pk if isinstance(value, models.Model) else value


def obj_team(obj):
    return permissions.owning_team(obj) if not isinstance(obj, get_user_model()) else None


def _label(text: str, taken: set) -> str:
    """A version label: the definition's own ``info.version`` when free, else the next
    ``import-N``."""
    from catalog.specs import load_document

    try:
        document = load_document(text)
        label = (
            str(document.get("info", {}).get("version", "")) if isinstance(document, dict) else ""
        )
    except Exception:
        label = ""
    if label and label not in taken and len(label) <= 50:
        return label
    n = len(taken) + 1
    while f"import-{n}" in taken:
        n += 1
    return f"import-{n}"
