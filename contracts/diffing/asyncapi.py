"""AsyncAPI 2.x and 3.x: channels, operations and messages, with payloads and headers compared
by the JSON Schema rules OpenAPI uses (``schemas``).

Both versions are read into one shape: channels keyed by address, operations with an action
in AsyncAPI 3's words, and each operation's messages. What breaks a consumer depends on who
sends: where the application sends (3.x ``send``, 2.x ``subscribe``) consumers read the
message, as they read a response; where it receives (3.x ``receive``, 2.x ``publish``)
consumers send it, as they send a request. A 3.x ``reply`` goes the other way. Messages of a
3.x channel that no operation names are compared as read by consumers.

2.x operations are matched by channel and verb (their identity there), so one moved between
``publish`` and ``subscribe`` is a changed action; 3.x operations by id, and failing that, as
the one operation with its action on its channel (an id renamed, a 2.x document rewritten as
3.x). A 3.x channel whose address changed is matched by its id. ``$ref``s inside the
document are resolved and message traits merged (the message's own fields win). Servers and
protocol bindings describe deployments more than the contract: removed or changed ones are
potentially breaking. Neither version has a ``deprecated`` field on channels, operations or
messages; ``deprecated: true`` or ``x-deprecated: true`` there is read as a deprecation, as
is a deprecated schema.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .changes import Change, Level
from .schemas import REQUEST, RESPONSE, SchemaDiff, escape, lookup

SEND, RECEIVE = "send", "receive"
_VERBS_2 = {"subscribe": SEND, "publish": RECEIVE}
_JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
)
_MAX_REF_CHAIN = 32


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _deprecated(node: dict) -> bool:
    return node.get("deprecated") is True or node.get("x-deprecated") is True


@dataclass
class _Message:
    key: str
    node: dict  # with its traits merged
    raw: dict  # as it stands in the document, to know it again
    pointer: str


@dataclass
class _Operation:
    key: str
    action: str
    verb: str
    channel: str
    location: str
    pointer: str
    node: dict
    operation_id: str
    messages: dict = field(default_factory=dict)
    reply: tuple | None = None  # (channel key, messages)


@dataclass
class _Channel:
    key: str
    id: str  # 3.x: its id in the document; 2.x: its address
    pointer: str
    node: dict
    messages: dict = field(default_factory=dict)  # 3.x: the channel's own messages
    unused: set = field(default_factory=set)  # of those, the keys no operation names


class _Reader:
    """One document in the shape both versions share."""

    def __init__(self, root: dict, *, by_channel: bool):
        self.root = root
        self.major = 3 if str(root.get("asyncapi", "")).startswith("3") else 2
        self.default_content_type = root.get("defaultContentType")
        self.unresolved: list[tuple[str, str]] = []
        self.channels: dict[str, _Channel] = {}
        self.operations: dict[str, _Operation] = {}
        self.servers = {
            name: self.resolve(server, f"/servers/{escape(name)}")
            for name, server in _mapping(root.get("servers")).items()
        }
        if self.major == 3:
            self._read_3()
        else:
            self._read_2(by_channel)

    def resolve(self, node, pointer: str) -> tuple[dict, str]:
        """A node with its local ``$ref``s followed, and the pointer where it stands."""
        for _ in range(_MAX_REF_CHAIN):
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                break
            ref = node["$ref"]
            target = lookup(self.root, ref)
            if target is None:
                self.unresolved.append((pointer, ref))
                return {}, pointer
            node, pointer = target, ref.lstrip("#")
        return _mapping(node), pointer

    def message(self, key: str, raw, pointer: str) -> _Message:
        node, pointer = self.resolve(raw, pointer)
        merged: dict = {}
        traits = node.get("traits")
        for index, trait in enumerate(traits if isinstance(traits, list) else ()):
            merged.update(self.resolve(trait, f"{pointer}/traits/{index}")[0])
        merged.update(node)
        merged.pop("traits", None)
        return _Message(key, merged, node, pointer)

    def _read_2(self, by_channel: bool) -> None:
        for address, raw in _mapping(self.root.get("channels")).items():
            node, pointer = self.resolve(raw, f"/channels/{escape(address)}")
            self.channels[address] = _Channel(address, address, pointer, node)
            for verb, action in _VERBS_2.items():
                operation, where = self.resolve(node.get(verb), f"{pointer}/{verb}")
                if not operation:
                    continue
                operation_id = operation.get("operationId")
                operation_id = operation_id if isinstance(operation_id, str) else ""
                key = f"{verb} {address}" if by_channel or not operation_id else operation_id
                self.operations[key] = _Operation(
                    key,
                    action,
                    verb,
                    address,
                    f"{verb} {address}",
                    where,
                    operation,
                    operation_id,
                    self._messages_2(operation.get("message"), f"{where}/message"),
                )

    def _messages_2(self, raw, pointer: str) -> dict:
        if raw is None:
            return {}
        node, pointer = self.resolve(raw, pointer)
        members = node.get("oneOf")
        if isinstance(members, list):
            entries = [(m, f"{pointer}/oneOf/{i}", f"#{i}") for i, m in enumerate(members)]
        else:
            entries = [(raw, pointer, "message")]
        found = {}
        for member, where, fallback in entries:
            message = self.message("", member, where)
            key = _message_key(member, message.node, fallback)
            found[key] = _Message(key, message.node, message.raw, message.pointer)
        return found

    def _read_3(self) -> None:
        by_node: dict[int, str] = {}
        known: dict[int, tuple[str, str]] = {}  # a message node -> (channel key, message key)
        for channel_id, raw in _mapping(self.root.get("channels")).items():
            node, pointer = self.resolve(raw, f"/channels/{escape(channel_id)}")
            address = node.get("address")
            key = address if isinstance(address, str) else channel_id
            channel = _Channel(key, channel_id, pointer, node)
            self.channels[key] = channel
            by_node[id(node)] = key
            for message_key, message in _mapping(node.get("messages")).items():
                found = self.message(
                    message_key, message, f"{pointer}/messages/{escape(message_key)}"
                )
                channel.messages[message_key] = found
                # Operations name it by the entry in the channel (a $ref, often).
                if isinstance(message, dict):
                    known[id(message)] = (key, message_key)
                known.setdefault(id(found.raw), (key, message_key))
            channel.unused = set(channel.messages)
        for operation_id, raw in _mapping(self.root.get("operations")).items():
            node, pointer = self.resolve(raw, f"/operations/{escape(operation_id)}")
            action = node.get("action") if node.get("action") in (SEND, RECEIVE) else SEND
            channel = self._channel_of(node, pointer, by_node)
            operation = _Operation(
                operation_id,
                action,
                action,
                channel,
                f"{action} {channel} ({operation_id})",
                pointer,
                node,
                operation_id,
                self._messages_3(node, pointer, channel, known),
            )
            reply, reply_pointer = self.resolve(node.get("reply"), f"{pointer}/reply")
            if reply:
                reply_channel = self._channel_of(reply, reply_pointer, by_node) or channel
                operation.reply = (
                    reply_channel,
                    self._messages_3(reply, reply_pointer, reply_channel, known),
                )
            self.operations[operation_id] = operation

    def _channel_of(self, node: dict, pointer: str, by_node: dict) -> str:
        if "channel" not in node:
            return ""
        channel, _ = self.resolve(node["channel"], f"{pointer}/channel")
        reference = node["channel"].get("$ref", "") if isinstance(node["channel"], dict) else ""
        return by_node.get(id(channel), reference)

    def _messages_3(self, node: dict, pointer: str, channel: str, known: dict) -> dict:
        """The messages an operation (or reply) names: all its channel's when it names none."""
        listed = node.get("messages")
        own = self.channels.get(channel)
        if not isinstance(listed, list) or not listed:
            if own is None:
                return {}
            own.unused.clear()
            return own.messages  # the channel's own mapping: see _Diff.messages
        found = {}
        for index, raw in enumerate(listed):
            message = self.message("", raw, f"{pointer}/messages/{index}")
            entry = lookup(self.root, raw["$ref"]) if _is_ref(raw) else None
            place = (known.get(id(entry)) if isinstance(entry, dict) else None) or known.get(
                id(message.raw)
            )
            if place is not None:
                channel_key, key = place
                self.channels[channel_key].unused.discard(key)
            else:
                key = _message_key(raw, message.node, f"#{index}")
            found[key] = _Message(key, message.node, message.raw, message.pointer)
        return found


def _is_ref(node) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def _message_key(raw, node: dict, fallback: str) -> str:
    """A message's name: its component's, else its ``messageId`` or ``name``."""
    if _is_ref(raw):
        return raw["$ref"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    for name in ("messageId", "name"):
        if isinstance(node.get(name), str) and node[name]:
            return node[name]
    return fallback


def _payload(message: _Message, reader: _Reader) -> tuple:
    """(schema, schema format, pointer) of a message's payload, unwrapping a 3.x
    multi-format schema object."""
    payload = message.node.get("payload")
    schema_format = message.node.get("schemaFormat")
    pointer = f"{message.pointer}/payload"
    if isinstance(payload, dict) and "$ref" in payload:
        target, where = reader.resolve(payload, pointer)
        if "schemaFormat" in target and "schema" in target:
            payload, pointer = target, where
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        schema_format = payload["schemaFormat"]
        payload, pointer = payload["schema"], f"{pointer}/schema"
    return payload, schema_format, pointer


def _is_json_schema(schema_format) -> bool:
    return schema_format is None or (
        isinstance(schema_format, str) and schema_format.startswith(_JSON_SCHEMA_FORMATS)
    )


def _address(server: dict, _key: str = "") -> str:
    """Where a server is, alike in 2.x (``url``, perhaps with a scheme) and 3.x (``host`` and
    ``pathname``)."""
    if "url" in server:
        return str(server["url"]).split("://", 1)[-1]
    return f"{server.get('host', '')}{server.get('pathname') or ''}"


def _format_family(schema_format):
    """JSON Schema and AsyncAPI schema formats are compared alike; others by their name."""
    return "json" if _is_json_schema(schema_format) else str(schema_format).lower()


class _Diff:
    def __init__(self, base: _Reader, revision: _Reader):
        self.base, self.revision = base, revision
        self.schemas = SchemaDiff(base.root, revision.root)
        self.moved: dict[str, str] = {}  # 3.x channel address before -> after
        self.shared: set[tuple] = set()
        self.found: list[Change] = []

    def add(self, level: Level, rule: str, location: str, message: str, pointer: str = ""):
        self.found.append(Change(level, f"asyncapi.{rule}", location, message, pointer))

    def run(self) -> list[Change]:
        self.servers()
        self.channels()
        self.operations()
        for side, reader in (("base", self.base), ("revision", self.revision)):
            for pointer, ref in dict.fromkeys(reader.unresolved):
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "ref-unresolvable",
                    f"reference at {pointer or '(document root)'}",
                    f"The {side} refers to {ref[:200]!r}, which is not in the document, so "
                    "what it names could not be compared.",
                    pointer,
                )
        return self.found

    def servers(self) -> None:
        before, after = self.base.servers, self.revision.servers
        for name, (server, pointer) in before.items():
            where = f"server {name}"
            if name not in after:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "server-removed",
                    where,
                    f"The server {name} was removed: consumers connected to it lose it.",
                    pointer,
                )
                continue
            now, now_pointer = after[name]
            for key, rule, read in (
                ("protocol", "server-protocol-changed", dict.get),
                ("protocolVersion", "server-protocol-changed", dict.get),
                ("address", "server-address-changed", _address),
                ("security", "server-security-changed", dict.get),
            ):
                old_value, new_value = read(server, key), read(now, key)
                if old_value != new_value:
                    self.add(
                        Level.POTENTIALLY_BREAKING,
                        rule,
                        where,
                        f"The {key} of server {name} changed from {old_value!r} to {new_value!r}.",
                        now_pointer,
                    )
            self.bindings(where, server, now, now_pointer)
        for name in after.keys() - before.keys():
            self.add(
                Level.NON_BREAKING,
                "server-added",
                f"server {name}",
                f"The server {name} was added.",
                after[name][1],
            )

    def bindings(self, where: str, before: dict, after: dict, pointer: str) -> None:
        old, _ = self.base.resolve(before.get("bindings"), f"{pointer}/bindings")
        new, new_pointer = self.revision.resolve(after.get("bindings"), f"{pointer}/bindings")
        for protocol, binding in old.items():
            if protocol not in new:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "binding-removed",
                    f"{where} binding {protocol}",
                    f"The {protocol} binding of {where} was removed.",
                    new_pointer,
                )
            elif binding != new[protocol]:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "binding-changed",
                    f"{where} binding {protocol}",
                    f"The {protocol} binding of {where} changed.",
                    f"{new_pointer}/{escape(protocol)}",
                )

    def deprecation(self, what: str, where: str, before: dict, after: dict, pointer: str):
        if not _deprecated(before) and _deprecated(after):
            self.add(
                Level.DEPRECATION,
                f"{what}-deprecated",
                where,
                f"The {what} {where.split(' ', 1)[-1]} was deprecated.",
                pointer,
            )

    def channels(self) -> None:
        before, after = self.base.channels, self.revision.channels
        # A 3.x channel keeps its id when its address changes: matched by the id.
        by_id = {
            channel.id: key
            for key, channel in after.items()
            if key not in before and self.revision.major == 3
        }
        for key, channel in before.items():
            where = f"channel {key}"
            now = after.get(key)
            if now is None and self.base.major == 3 and channel.id in by_id:
                now = after[self.moved.setdefault(key, by_id.pop(channel.id))]
                self.add(
                    Level.BREAKING,
                    "channel-address-changed",
                    where,
                    f"The address of the channel {channel.id} changed from {key} to {now.key}.",
                    now.pointer,
                )
            if now is None:
                self.add(
                    Level.BREAKING,
                    "channel-removed",
                    where,
                    f"The channel {key} was removed.",
                    channel.pointer,
                )
            else:
                self.channel(where, channel, now)
        for key in after.keys() - before.keys() - set(self.moved.values()):
            self.add(
                Level.NON_BREAKING,
                "channel-added",
                f"channel {key}",
                f"The channel {key} was added.",
                after[key].pointer,
            )

    def channel(self, where: str, old: _Channel, new: _Channel) -> None:
        self.deprecation("channel", where, old.node, new.node, new.pointer)
        self.bindings(where, old.node, new.node, new.pointer)
        # A 3.x channel's messages removed are named here, once, whoever used them; those no
        # operation names are compared here too, as consumers read them.
        for key, message in old.messages.items():
            if key not in new.messages:
                self.add(
                    Level.BREAKING,
                    "message-removed",
                    f"{where} message {key}",
                    f"The message {key} was removed from the {where}.",
                    message.pointer,
                )
            elif key in old.unused and key in new.unused:
                self.message(f"{where} message {key}", message, new.messages[key], SEND)
        for key in new.unused - old.messages.keys():
            self.add(
                Level.NON_BREAKING,
                "message-added",
                f"{where} message {key}",
                f"The message {key} was added to the {where}.",
                new.messages[key].pointer,
            )

    def operations(self) -> None:
        before, after = self.base.operations, self.revision.operations
        removed = dict.fromkeys(key for key in before if key not in after)
        added = dict.fromkeys(key for key in after if key not in before)
        pairs = [(before[key], after[key]) for key in before if key in after]
        # The one operation left on a channel with the same action on both sides is the same
        # operation under another id (a 3.x id renamed, or a 2.x document rewritten as 3.x).
        removed_by, added_by = defaultdict(list), defaultdict(list)
        for key in removed:
            removed_by[
                self.moved.get(before[key].channel, before[key].channel), before[key].action
            ].append(key)
        for key in added:
            added_by[after[key].channel, after[key].action].append(key)
        for place, keys in removed_by.items():
            if len(keys) == 1 and len(added_by.get(place, ())) == 1:
                pairs.append((before[keys[0]], after[added_by[place][0]]))
                del removed[keys[0]]
                del added[added_by[place][0]]
        # A 2.x operation moved between publish and subscribe on its channel (2.x operations
        # are keyed by verb and channel when both documents are 2.x).
        both_2 = self.base.major == self.revision.major == 2
        if both_2:
            stayed = []
            for key in removed:
                operation = before[key]
                other = "publish" if operation.verb == "subscribe" else "subscribe"
                moved = f"{other} {operation.channel}"
                if moved in added:
                    del added[moved]
                    pairs.append((operation, after[moved]))
                else:
                    stayed.append(key)
            removed = dict.fromkeys(stayed)
        for key in removed:
            operation = before[key]
            if both_2 and operation.channel not in self.revision.channels:
                continue  # a 2.x operation is part of its channel, named as removed
            self.add(
                Level.BREAKING,
                "operation-removed",
                operation.location,
                f"The operation {operation.location} was removed.",
                operation.pointer,
            )
        for key in added:
            operation = after[key]
            if both_2 and operation.channel not in self.base.channels:
                continue
            self.add(
                Level.NON_BREAKING,
                "operation-added",
                operation.location,
                f"The operation {operation.location} was added.",
                operation.pointer,
            )
        for old, new in pairs:
            self.operation(old, new)

    def operation(self, old: _Operation, new: _Operation) -> None:
        where = old.location
        if old.action != new.action:
            self.add(
                Level.BREAKING,
                "operation-action-changed",
                where,
                f"The operation {where} changed from {old.verb} to {new.verb}: the application "
                f"now {'sends' if new.action == SEND else 'receives'} what it "
                f"{'sent' if old.action == SEND else 'received'}.",
                new.pointer,
            )
            return
        if self.moved.get(old.channel, old.channel) != new.channel:
            self.add(
                Level.BREAKING,
                "operation-channel-changed",
                where,
                f"The operation {where} moved from the channel {old.channel} to {new.channel}.",
                new.pointer,
            )
        if old.operation_id and new.operation_id and old.operation_id != new.operation_id:
            self.add(
                Level.POTENTIALLY_BREAKING,
                "operation-id-changed",
                where,
                f"The operationId of {where} changed from {old.operation_id!r} to "
                f"{new.operation_id!r}: generated code names it differently.",
                new.pointer,
            )
        self.deprecation("operation", where, old.node, new.node, new.pointer)
        self.bindings(where, old.node, new.node, new.pointer)
        self.messages(where, old.messages, new.messages, old.action, new.channel)
        if old.reply and new.reply:
            reply = RECEIVE if old.action == SEND else SEND
            if self.moved.get(old.reply[0], old.reply[0]) != new.reply[0]:
                self.add(
                    Level.BREAKING,
                    "reply-channel-changed",
                    f"{where} reply",
                    f"The reply of {where} moved from the channel {old.reply[0]} to "
                    f"{new.reply[0]}.",
                    new.pointer,
                )
            self.messages(f"{where} reply", old.reply[1], new.reply[1], reply, new.reply[0])
        elif old.reply:
            self.add(
                Level.BREAKING,
                "reply-removed",
                f"{where} reply",
                f"The operation {where} no longer has a reply.",
                new.pointer,
            )
        elif new.reply:
            self.add(
                Level.POTENTIALLY_BREAKING if old.action == SEND else Level.NON_BREAKING,
                "reply-added",
                f"{where} reply",
                f"The operation {where} now has a reply.",
                new.pointer,
            )

    def messages(self, where: str, before: dict, after: dict, action: str, channel: str) -> None:
        # Operations that name no messages share their channel's: compared once per channel
        # and action (at the first), or a thousand operations of one channel would compare
        # its messages a thousand times.
        shared = (id(before), id(after), action)
        if shared in self.shared:
            return
        self.shared.add(shared)
        kept = self.revision.channels.get(channel)
        for key, message in before.items():
            if key in after:
                self.message(f"{where} message {key}", message, after[key], action)
            elif kept is None or key in kept.messages or not kept.messages:
                self.add(
                    Level.BREAKING,
                    "message-removed",
                    f"{where} message {key}",
                    f"The message {key} was removed from {where}.",
                    message.pointer,
                )
            # else: gone from its 3.x channel, and named there
        for key in after.keys() - before.keys():
            # Consumers reading may meet a message they do not know; sending, they need not.
            self.add(
                Level.POTENTIALLY_BREAKING if action == SEND else Level.NON_BREAKING,
                "message-added",
                f"{where} message {key}",
                f"The message {key} was added to {where}.",
                after[key].pointer,
            )

    def message(self, where: str, old: _Message, new: _Message, action: str) -> None:
        direction = RESPONSE if action == SEND else REQUEST
        before = old.node.get("contentType") or self.base.default_content_type
        after = new.node.get("contentType") or self.revision.default_content_type
        if before != after:
            self.add(
                Level.BREAKING,
                "content-type-changed",
                where,
                f"The content type of {where} changed from {before} to {after}.",
                new.pointer,
            )
        if old.node.get("correlationId") != new.node.get("correlationId"):
            self.add(
                Level.POTENTIALLY_BREAKING,
                "correlation-id-changed",
                where,
                f"The correlation id of {where} changed.",
                new.pointer,
            )
        self.deprecation("message", where, old.node, new.node, new.pointer)
        self.bindings(where, old.node, new.node, new.pointer)
        self.payload(where, old, new, action, direction)
        if "headers" in old.node or "headers" in new.node:
            self.found += self.schemas.compare(
                old.node.get("headers", {}),
                new.node.get("headers", {}),
                direction=direction,
                location=f"{where} headers",
                rule_prefix=f"asyncapi.{action}-headers",
                base_pointer=f"{old.pointer}/headers",
                revision_pointer=f"{new.pointer}/headers",
            )

    def payload(self, where: str, old: _Message, new: _Message, action: str, direction: str):
        before, before_format, before_pointer = _payload(old, self.base)
        after, after_format, after_pointer = _payload(new, self.revision)
        if _format_family(before_format) != _format_family(after_format):
            self.add(
                Level.POTENTIALLY_BREAKING,
                "schema-format-changed",
                f"{where} payload",
                f"The payload of {where} is described in {after_format or 'AsyncAPI schema'} "
                f"instead of {before_format or 'AsyncAPI schema'}.",
                after_pointer,
            )
        elif not _is_json_schema(after_format):
            if before != after:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "payload-changed",
                    f"{where} payload",
                    f"The {after_format} payload of {where} changed; Keel compares JSON Schema "
                    "and AsyncAPI schema payloads only.",
                    after_pointer,
                )
        elif before is not None or after is not None:
            self.found += self.schemas.compare(
                {} if before is None else before,
                {} if after is None else after,
                direction=direction,
                location=f"{where} payload",
                rule_prefix=f"asyncapi.{action}-payload",
                base_pointer=before_pointer,
                revision_pointer=after_pointer,
            )


def changes(base: dict, revision: dict) -> list[Change]:
    """The changes from ``base`` to ``revision``, two AsyncAPI documents as parsed."""
    both_2 = not str(base.get("asyncapi", "")).startswith("3") and not str(
        revision.get("asyncapi", "")
    ).startswith("3")
    return _Diff(_Reader(base, by_channel=both_2), _Reader(revision, by_channel=both_2)).run()
