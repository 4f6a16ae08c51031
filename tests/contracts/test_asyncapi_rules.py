"""AsyncAPI 2 and 3 rules: one base and revision per rule, each asserting level, rule id and
location; payload and header changes follow the direction of the operation."""

import copy
import json

import pytest
import yaml

from contracts.diffing import Level, compare
from contracts.diffing.asyncapi import changes

B, P, D, N = (
    Level.BREAKING,
    Level.POTENTIALLY_BREAKING,
    Level.DEPRECATION,
    Level.NON_BREAKING,
)


def ref(*parts: str) -> dict:
    return {"$ref": "#/" + "/".join(part.replace("/", "~1") for part in parts)}


def obj(required=(), **properties) -> dict:
    schema = {"type": "object", "properties": {k: {"type": v} for k, v in properties.items()}}
    return {**schema, "required": list(required)} if required else schema


SIGNED_UP = {
    "payload": obj(["id"], id="string", email="string"),
    "headers": obj(trace="string"),
}
CREATE = {"payload": obj(name="string")}

V2 = {
    "asyncapi": "2.6.0",
    "info": {"title": "Users", "version": "1.0.0"},
    "defaultContentType": "application/json",
    "servers": {
        "prod": {"url": "broker:9092", "protocol": "kafka", "bindings": {"kafka": {"a": 1}}}
    },
    "channels": {
        "user/signedup": {
            "subscribe": {
                "operationId": "onSignup",
                "message": ref("components", "messages", "UserSignedUp"),
            }
        },
        "user/commands": {
            "publish": {
                "message": {
                    "oneOf": [
                        ref("components", "messages", "Create"),
                        ref("components", "messages", "Delete"),
                    ]
                }
            },
            "bindings": {"amqp": {"is": "queue"}},
        },
    },
    "components": {
        "messages": {
            "UserSignedUp": SIGNED_UP,
            "Create": CREATE,
            "Delete": {"payload": obj(id="string")},
        }
    },
}

V3 = {
    "asyncapi": "3.0.0",
    "info": {"title": "Users", "version": "1.0.0"},
    "servers": {"prod": {"host": "broker:9092", "protocol": "kafka"}},
    "channels": {
        "userSignedUp": {
            "address": "user/signedup",
            "messages": {
                "UserSignedUp": ref("components", "messages", "UserSignedUp"),
                "UserSignedUpV0": {"payload": obj(id="string")},
            },
        },
        "commands": {
            "address": "user/commands",
            "messages": {
                "Create": ref("components", "messages", "Create"),
                "Created": {"payload": obj(["id"], id="string")},
            },
        },
        "audit": {"address": "audit", "messages": {"Entry": {"payload": obj(at="string")}}},
    },
    "operations": {
        "onSignup": {
            "action": "send",
            "channel": ref("channels", "userSignedUp"),
            "messages": [
                ref("channels", "userSignedUp", "messages", "UserSignedUp"),
                ref("channels", "userSignedUp", "messages", "UserSignedUpV0"),
            ],
        },
        "create": {
            "action": "receive",
            "channel": ref("channels", "commands"),
            "messages": [ref("channels", "commands", "messages", "Create")],
            "reply": {
                "channel": ref("channels", "commands"),
                "messages": [ref("channels", "commands", "messages", "Created")],
            },
        },
    },
    "components": {
        "messages": {
            "UserSignedUp": {
                "payload": {
                    "schemaFormat": "application/vnd.aai.asyncapi+json;version=3.0.0",
                    "schema": SIGNED_UP["payload"],
                }
            },
            "Create": CREATE,
        }
    },
}


# Create's payload described in RAML, which Keel does not read.
V3_RAML = copy.deepcopy(V3)
V3_RAML["components"]["messages"]["Create"] = {
    "payload": {"schemaFormat": "application/raml+yaml;version=1.0", "schema": {"a": 1}}
}


def at(document: dict, *keys):
    node = document
    for key in keys:
        node = node[key]
    return node


def messages(document: dict) -> dict:
    return at(document, "components", "messages")


def signed_up_v3(document: dict) -> dict:
    return at(messages(document), "UserSignedUp", "payload", "schema")


def move_subscribe_to_publish(document: dict) -> None:
    channel = at(document, "channels", "user/signedup")
    channel["publish"] = channel.pop("subscribe")


SEND_2 = "subscribe user/signedup"
RECEIVE_2 = "publish user/commands"
SEND_3 = "send user/signedup (onSignup)"
RECEIVE_3 = "receive user/commands (create)"

RULES = [
    # AsyncAPI 2: channels and operations
    (
        "channel-removed",
        V2,
        lambda d: d["channels"].pop("user/commands"),
        B,
        "channel user/commands",
    ),
    ("channel-added", V2, lambda d: d["channels"].update(new={}), N, "channel new"),
    ("operation-removed", V2, lambda d: d["channels"]["user/signedup"].pop("subscribe"), B, SEND_2),
    (
        "operation-added",
        V2,
        lambda d: d["channels"]["user/signedup"].update(publish={"message": CREATE}),
        N,
        "publish user/signedup",
    ),
    ("operation-action-changed", V2, move_subscribe_to_publish, B, SEND_2),
    (
        "operation-id-changed",
        V2,
        lambda d: d["channels"]["user/signedup"]["subscribe"].update(operationId="signedUp"),
        P,
        SEND_2,
    ),
    (
        "operation-deprecated",
        V2,
        lambda d: d["channels"]["user/signedup"]["subscribe"].update({"x-deprecated": True}),
        D,
        SEND_2,
    ),
    (
        "channel-deprecated",
        V2,
        lambda d: d["channels"]["user/signedup"].update(deprecated=True),
        D,
        "channel user/signedup",
    ),
    # AsyncAPI 2: messages, by direction
    (
        "message-removed",
        V2,
        lambda d: d["channels"]["user/commands"]["publish"]["message"]["oneOf"].pop(),
        B,
        f"{RECEIVE_2} message Delete",
    ),
    (
        "message-added",
        V2,
        lambda d: d["channels"]["user/commands"]["publish"]["message"]["oneOf"].append(
            {"messageId": "Rename", "payload": obj(name="string")}
        ),
        N,
        f"{RECEIVE_2} message Rename",
    ),
    (
        "message-added",
        V2,
        lambda d: d["channels"]["user/signedup"]["subscribe"].update(
            message={"oneOf": [ref("components", "messages", "UserSignedUp"), {"name": "Extra"}]}
        ),
        P,
        f"{SEND_2} message Extra",
    ),
    (
        "send-payload-required-property-removed",
        V2,
        lambda d: messages(d)["UserSignedUp"].update(payload=obj(email="string")),
        B,
        f"{SEND_2} message UserSignedUp payload /id",
    ),
    (
        "send-payload-new-required-property",
        V2,
        lambda d: messages(d)["UserSignedUp"].update(
            payload=obj(["id", "age"], id="string", email="string", age="integer")
        ),
        N,
        f"{SEND_2} message UserSignedUp payload /age",
    ),
    (
        "receive-payload-new-required-property",
        V2,
        lambda d: messages(d).update(
            Create={"payload": obj(["age"], name="string", age="integer")}
        ),
        B,
        f"{RECEIVE_2} message Create payload /age",
    ),
    (
        "receive-payload-optional-property-removed",
        V2,
        lambda d: messages(d).update(Create={"payload": obj()}),
        P,
        f"{RECEIVE_2} message Create payload /name",
    ),
    (
        "send-headers-optional-property-removed",
        V2,
        lambda d: messages(d)["UserSignedUp"].update(headers=obj()),
        P,
        f"{SEND_2} message UserSignedUp headers /trace",
    ),
    (
        "send-payload-schema-deprecated",
        V2,
        lambda d: messages(d)["UserSignedUp"]["payload"]["properties"]["email"].update(
            deprecated=True
        ),
        D,
        f"{SEND_2} message UserSignedUp payload /email",
    ),
    (
        "content-type-changed",
        V2,
        lambda d: messages(d)["UserSignedUp"].update(contentType="application/avro"),
        B,
        f"{SEND_2} message UserSignedUp",
    ),
    (
        "content-type-changed",
        V2,
        lambda d: d.update(defaultContentType="application/xml"),
        B,
        f"{SEND_2} message UserSignedUp",
    ),
    (
        "schema-format-changed",
        V2,
        lambda d: messages(d)["Create"].update(
            schemaFormat="application/vnd.apache.avro;version=1.9.0"
        ),
        P,
        f"{RECEIVE_2} message Create payload",
    ),
    (
        "message-deprecated",
        V2,
        lambda d: messages(d)["Create"].update({"x-deprecated": True}),
        D,
        f"{RECEIVE_2} message Create",
    ),
    (
        "send-headers-optional-property-removed",
        V2,
        # The headers now come from a trait, which no longer has the header.
        lambda d: messages(d).update(
            UserSignedUp={"payload": SIGNED_UP["payload"], "traits": [{"headers": obj()}]}
        ),
        P,
        f"{SEND_2} message UserSignedUp headers /trace",
    ),
    (
        "ref-unresolvable",
        V2,
        lambda d: d["channels"]["user/commands"]["publish"]["message"]["oneOf"].__setitem__(
            1, {"$ref": "#/components/messages/Nothing"}
        ),
        P,
        "reference at /channels/user~1commands/publish/message/oneOf/1",
    ),
    # Servers and bindings
    ("server-removed", V2, lambda d: d.pop("servers"), P, "server prod"),
    (
        "server-added",
        V2,
        lambda d: d["servers"].update(test={"url": "t", "protocol": "kafka"}),
        N,
        "server test",
    ),
    (
        "server-protocol-changed",
        V2,
        lambda d: d["servers"]["prod"].update(protocol="amqp"),
        P,
        "server prod",
    ),
    (
        "server-address-changed",
        V2,
        lambda d: d["servers"]["prod"].update(url="b:1"),
        P,
        "server prod",
    ),
    (
        "binding-removed",
        V2,
        lambda d: d["servers"]["prod"].pop("bindings"),
        P,
        "server prod binding kafka",
    ),
    (
        "binding-changed",
        V2,
        lambda d: d["channels"]["user/commands"]["bindings"]["amqp"].update({"is": "routingKey"}),
        P,
        "channel user/commands binding amqp",
    ),
    # AsyncAPI 3
    ("channel-removed", V3, lambda d: d["channels"].pop("audit"), B, "channel audit"),
    ("operation-removed", V3, lambda d: d["operations"].pop("onSignup"), B, SEND_3),
    (
        "operation-added",
        V3,
        lambda d: d["operations"].update(
            audit={"action": "send", "channel": ref("channels", "audit")}
        ),
        N,
        "send audit (audit)",
    ),
    (
        "operation-action-changed",
        V3,
        lambda d: d["operations"]["onSignup"].update(action="receive"),
        B,
        SEND_3,
    ),
    (
        "operation-channel-changed",
        V3,
        lambda d: d["operations"]["onSignup"].update(channel=ref("channels", "audit"), messages=[]),
        B,
        SEND_3,
    ),
    (
        "message-removed",
        V3,
        lambda d: d["operations"]["onSignup"]["messages"].pop(),
        B,
        f"{SEND_3} message UserSignedUpV0",
    ),
    (
        "message-removed",
        V3,
        lambda d: d["channels"]["audit"]["messages"].pop("Entry"),
        B,
        "channel audit message Entry",
    ),
    (
        "message-added",
        V3,
        lambda d: d["channels"]["audit"]["messages"].update(Exit={"payload": obj()}),
        N,
        "channel audit message Exit",
    ),
    (
        "send-payload-required-property-removed",
        V3,
        lambda d: signed_up_v3(d)["properties"].pop("id"),
        B,
        f"{SEND_3} message UserSignedUp payload /id",
    ),
    (
        "receive-payload-new-required-property",
        V3,
        lambda d: messages(d).update(
            Create={"payload": obj(["age"], name="string", age="integer")}
        ),
        B,
        f"{RECEIVE_3} message Create payload /age",
    ),
    (
        "send-payload-required-property-removed",
        V3,
        lambda d: d["channels"]["commands"]["messages"]["Created"].update(payload=obj()),
        B,
        f"{RECEIVE_3} reply message Created payload /id",
    ),
    (
        "send-payload-type-changed",
        V3,
        lambda d: d["channels"]["audit"]["messages"]["Entry"].update(payload=obj(at="integer")),
        B,
        "channel audit message Entry payload /at",
    ),
    (
        "reply-removed",
        V3,
        lambda d: d["operations"]["create"].pop("reply"),
        B,
        f"{RECEIVE_3} reply",
    ),
    (
        "schema-format-changed",
        V3,
        lambda d: messages(d)["UserSignedUp"]["payload"].update(
            schemaFormat="application/vnd.apache.avro;version=1.9.0"
        ),
        P,
        f"{SEND_3} message UserSignedUp payload",
    ),
    (
        "payload-changed",
        V3_RAML,
        lambda d: messages(d)["Create"]["payload"]["schema"].update(a=2),
        P,
        f"{RECEIVE_3} message Create payload",
    ),
    (
        "server-address-changed",
        V3,
        lambda d: d["servers"]["prod"].update(host="other:9092"),
        P,
        "server prod",
    ),
    (
        "ref-unresolvable",
        V3,
        lambda d: d["operations"]["create"].update(channel=ref("channels", "nothing")),
        P,
        "reference at /operations/create/channel",
    ),
]


def revised(base: dict, change) -> dict:
    revision = copy.deepcopy(base)
    change(revision)
    return revision


@pytest.mark.parametrize(
    ("rule", "base", "change", "level", "location"),
    RULES,
    ids=[f"{case[0]}-{case[1]['asyncapi'][0]}-{index}" for index, case in enumerate(RULES)],
)
def test_rule(rule, base, change, level, location):
    # Given a revision that differs from the base in one place; when compared
    found = changes(copy.deepcopy(base), revised(base, change))
    # then the change is named with its level, rule id and place.
    assert (f"asyncapi.{rule}", level, location) in {
        (item.rule, item.level, item.location) for item in found
    }, [item.as_dict() for item in found]
    assert all(item.message for item in found)


@pytest.mark.parametrize("base", [V2, V3], ids=["2", "3"])
def test_the_same_document_has_no_changes(base):
    assert changes(copy.deepcopy(base), copy.deepcopy(base)) == []


def test_a_removed_2x_channel_is_named_once():
    found = changes(copy.deepcopy(V2), revised(V2, lambda d: d["channels"].pop("user/commands")))
    assert [(item.rule, item.location) for item in found] == [
        ("asyncapi.channel-removed", "channel user/commands")
    ]


def test_a_3x_message_gone_from_its_channel_is_named_once():
    def remove(document):
        document["channels"]["userSignedUp"]["messages"].pop("UserSignedUpV0")
        document["operations"]["onSignup"]["messages"].pop()

    found = changes(copy.deepcopy(V3), revised(V3, remove))
    assert [(item.rule, item.location) for item in found] == [
        ("asyncapi.message-removed", "channel user/signedup message UserSignedUpV0")
    ]


def test_payload_changes_point_into_the_document():
    found = changes(
        copy.deepcopy(V3), revised(V3, lambda d: signed_up_v3(d)["properties"].pop("email"))
    )
    assert [(item.rule, item.pointer) for item in found] == [
        (
            "asyncapi.send-payload-optional-property-removed",
            "/components/messages/UserSignedUp/payload/schema/properties/email",
        )
    ]


@pytest.mark.parametrize("base", [V2, V3], ids=["2", "3"])
def test_compare_end_to_end(base):
    # Given the documents as YAML and JSON text
    revision = revised(base, lambda d: d["channels"].pop(next(reversed(d["channels"]))))
    result = compare("asyncapi", yaml.safe_dump(base), json.dumps(revision))
    assert result.comparable and result.problems == []
    assert result.verdict == "breaking"
    assert result.as_dict()["changes"][0]["rule"] == "asyncapi.channel-removed"


def test_an_invalid_but_readable_document_is_compared_with_its_problems():
    def untitled(document):
        document["info"].pop("title")
        document["operations"].pop("create")

    revision = revised(V3, untitled)
    result = compare("asyncapi", json.dumps(V3), json.dumps(revision))
    assert result.comparable
    assert result.problems == [
        "The revision: Invalid AsyncAPI at info: 'info' needs a 'title' and a 'version'."
    ]
    assert ("asyncapi.operation-removed", RECEIVE_3) in {
        (item.rule, item.location) for item in result.changes
    }


def test_unparseable_yaml_is_not_comparable():
    result = compare("asyncapi", json.dumps(V2), "asyncapi: [2.6.0\ninfo: {")
    assert not result.comparable
    assert [item.rule for item in result.changes] == ["could-not-compare"]
    assert "line" in result.changes[0].message


ODD = [
    {
        "asyncapi": "2.0.0",
        "channels": {
            "a": "not a channel",
            "b": {"subscribe": "x", "publish": {"message": [1]}},
            "c": {"subscribe": {"message": {"oneOf": "x", "traits": 1}}},
        },
        "servers": {"a": 1, "b": {"bindings": [1]}},
    },
    {
        "asyncapi": "3.0.0",
        "channels": {
            "a": {"address": 5, "messages": [1]},
            "b": {"messages": {"m": 1, "n": {"traits": [1, ref("x")], "payload": 3}}},
            "loop": ref("channels", "loop"),
        },
        "operations": {
            "o": {"channel": "x", "messages": "y", "reply": 1},
            "p": {
                "action": "receive",
                "channel": {"$ref": 5},
                "messages": [1, ref("channels", "b", "messages", "n")],
                "reply": {"channel": ref("channels", "b"), "messages": [ref("nothing")]},
            },
            "q": 7,
        },
    },
    {"asyncapi": 3, "channels": [], "operations": None, "servers": "x"},
]


@pytest.mark.parametrize("base", ODD, ids=["2", "3", "types"])
@pytest.mark.parametrize("revision", ODD, ids=["2", "3", "types"])
def test_documents_of_the_wrong_shape_are_compared_without_failing(base, revision):
    # The validator checks little of an AsyncAPI document: whatever shape is read as it can.
    found = changes(copy.deepcopy(base), copy.deepcopy(revision))
    assert all(item.rule.startswith("asyncapi.") and item.message for item in found)


def test_a_3x_channel_whose_address_changed_is_one_change():
    found = changes(
        copy.deepcopy(V3),
        revised(V3, lambda d: d["channels"]["userSignedUp"].update(address="users/signedup")),
    )
    assert [(item.rule, item.level, item.location) for item in found] == [
        ("asyncapi.channel-address-changed", B, "channel user/signedup")
    ]


def test_operations_sharing_their_channels_messages_compare_them_once():
    # Given 50 operations that name no messages, so each has all of the channel's
    def many(document):
        document["operations"] = {
            f"op{n}": {"action": "send", "channel": ref("channels", "audit")} for n in range(50)
        }

    base = revised(V3, many)
    found = changes(
        copy.deepcopy(base),
        revised(base, lambda d: d["channels"]["audit"]["messages"]["Entry"].update(payload=obj())),
    )
    # then the message's change is named once, at the first of them.
    assert [(item.rule, item.location) for item in found] == [
        (
            "asyncapi.send-payload-optional-property-removed",
            "send audit (op0) message Entry payload /at",
        )
    ]


def test_a_2x_document_rewritten_as_3x_is_unchanged():
    # The same servers, channels, operations and messages, in AsyncAPI 3's words.
    rewritten = {
        "asyncapi": "3.0.0",
        "info": V2["info"],
        "defaultContentType": "application/json",
        "servers": {
            "prod": {"host": "broker:9092", "protocol": "kafka", "bindings": {"kafka": {"a": 1}}}
        },
        "channels": {
            "signedUp": {
                "address": "user/signedup",
                "messages": {"UserSignedUp": ref("components", "messages", "UserSignedUp")},
            },
            "commands": {
                "address": "user/commands",
                "bindings": {"amqp": {"is": "queue"}},
                "messages": {
                    "Create": ref("components", "messages", "Create"),
                    "Delete": ref("components", "messages", "Delete"),
                },
            },
        },
        "operations": {
            "onSignup": {"action": "send", "channel": ref("channels", "signedUp")},
            "handleCommand": {"action": "receive", "channel": ref("channels", "commands")},
        },
        "components": copy.deepcopy(V2["components"]),
    }
    assert changes(copy.deepcopy(V2), rewritten) == []


def test_a_3x_operation_under_a_new_id_is_the_same_operation():
    def rename(document):
        document["operations"]["signedUp"] = document["operations"].pop("onSignup")

    found = changes(copy.deepcopy(V3), revised(V3, rename))
    assert [(item.rule, item.level, item.location) for item in found] == [
        ("asyncapi.operation-id-changed", P, SEND_3)
    ]
