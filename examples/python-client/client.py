"""A Python client of a casty cluster through casty.v1.GatewayService, with stubs generated from proto/.

    python3 -m grpc_tools.protoc -Iproto -Iexamples/python-client/proto --python_out=STUBS --grpc_python_out=STUBS \
        casty/v1/gateway.proto casty/v1/cluster.proto casty/v1/value.proto casty/v1/actor_ref.proto greeter/v1/greeter.proto
    python3 examples/python-client/client.py STUBS HOST:PORT

The cluster runs the "greeters" (greeter.v1 messages) and "accounts" (plain data) sharded regions.
Prints one line per step.
"""
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import any_pb2  # noqa: E402
from casty.v1 import gateway_pb2, gateway_pb2_grpc, value_pb2  # noqa: E402
from greeter.v1 import greeter_pb2  # noqa: E402

VALUE_URL = "type.googleapis.com/casty.v1.Value"


def to_value(data):
    """Plain data (dict, list, str, float, bool, None) as a casty.v1.Value."""
    if data is None:
        return value_pb2.Value(null_value=True)
    if isinstance(data, bool):
        return value_pb2.Value(bool_value=data)
    if isinstance(data, (int, float)):
        return value_pb2.Value(number_value=float(data))
    if isinstance(data, str):
        return value_pb2.Value(string_value=data)
    if isinstance(data, list):
        return value_pb2.Value(list_value=value_pb2.ListValue(items=[to_value(x) for x in data]))
    fields = [value_pb2.ObjectField(key=k, value=to_value(v)) for k, v in data.items()]
    return value_pb2.Value(object_value=value_pb2.ObjectValue(fields=fields))


def from_value(value):
    kind = value.WhichOneof("kind")
    if kind == "object_value":
        return {f.key: from_value(f.value) for f in value.object_value.fields}
    if kind == "list_value":
        return [from_value(x) for x in value.list_value.items]
    if kind in (None, "null_value", "undefined_value"):
        return None
    return getattr(value, kind)


def plain(data):
    return any_pb2.Any(type_url=VALUE_URL, value=to_value(data).SerializeToString())


def unplain(message):
    value = value_pb2.Value()
    value.ParseFromString(message.value)
    return from_value(value)


def main():
    channel = grpc.insecure_channel(sys.argv[2])
    gateway = gateway_pb2_grpc.GatewayServiceStub(channel)

    # ask a sharded entity with our own Protobuf type: the gateway fills in Greet.reply_to
    greet = any_pb2.Any()
    greet.Pack(greeter_pb2.Greet(name="Ada"))
    reply = gateway.Ask(gateway_pb2.AskRequest(region="greeters", entity_id="py-1", message=greet), timeout=5)
    greeting = greeter_pb2.Greeting()
    reply.reply.Unpack(greeting)
    print(f"greeting: {greeting.text} (count {greeting.count})")

    # tell, then ask again: the entity counted both
    gateway.Tell(gateway_pb2.TellRequest(region="greeters", entity_id="py-1", message=greet), timeout=5)
    reply = gateway.Ask(gateway_pb2.AskRequest(region="greeters", entity_id="py-1", message=greet), timeout=5)
    reply.reply.Unpack(greeting)
    print(f"greeting: {greeting.text} (count {greeting.count})")

    # plain data (casty.v1.Value): the gateway sets the object's replyTo
    gateway.Tell(gateway_pb2.TellRequest(region="accounts", entity_id="py-alice", message=plain({"kind": "deposit", "amount": 10})), timeout=5)
    reply = gateway.Ask(gateway_pb2.AskRequest(region="accounts", entity_id="py-alice", message=plain({"kind": "deposit", "amount": 5})), timeout=5)
    print(f"balance: {unplain(reply.reply):g}")

    # a distributed counter
    counter = gateway_pb2.StructureRef(name="py-visits")
    for _ in range(3):
        value = gateway.CounterAdd(gateway_pb2.CounterAddRequest(counter=counter, delta=1), timeout=5).value
    print(f"counter: {value:g}")

    # the membership stream: the current state comes first
    stream = gateway.WatchMembers(gateway_pb2.WatchMembersRequest(), timeout=10)
    first = next(stream)
    stream.cancel()
    up = [m.address for m in first.state.members if m.status == 2]  # MEMBER_STATUS_UP
    print(f"members: {len(up)} up, leader {first.state.leader}")

    # errors are status codes
    try:
        gateway.Ask(gateway_pb2.AskRequest(region="nowhere", entity_id="x", message=plain({})), timeout=5)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}")
    try:
        gateway.Tell(gateway_pb2.TellRequest(region="accounts", entity_id="x", message=any_pb2.Any(type_url="type.googleapis.com/no.such.Type")), timeout=5)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}")
    try:  # the entity never answers "ignore": the call's deadline is the ask timeout
        gateway.Ask(gateway_pb2.AskRequest(region="accounts", entity_id="py-quiet", message=plain({"kind": "ignore"})), timeout=0.3)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}")
    try:  # over the nodes' 4 MiB message size
        gateway.Tell(gateway_pb2.TellRequest(region="accounts", entity_id="x", message=plain({"kind": "deposit", "note": "x" * 4_500_000})), timeout=10)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}")


if __name__ == "__main__":
    main()
