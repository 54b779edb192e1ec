"""Phrases that publish messages and wait for them."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.context import Context
from ._catalog import phrase


def _queue_wait(ctx: Context, arguments: Mapping[str, object]) -> float:
    return ctx.runtime.config.queue(ctx.variables.expand(str(arguments["queue"]))).wait


@phrase(
    'I publish to the "{queue}" queue:', example='I publish to the "orders" queue:\n  """\n  {"type": "ping"}\n  """'
)
def publish(ctx: Context, queue: str, docstring: str) -> None:
    """Publish the doc string as a message (JSON if it is JSON, text otherwise) to a queue of seamline.yaml."""
    from ..core.messaging import queues

    queues.publish(ctx, queue, docstring)


@phrase(
    'the "{queue}" queue receives a message matching:',
    example='the "orders" queue receives a message matching:\n  """\n  {"type": "order.created"}\n  """',
    check=True,
    default_wait=_queue_wait,
)
def receives(ctx: Context, queue: str, docstring: str) -> None:
    """Wait for a JSON message with (at least) these fields, up to the queue's wait (10 s unless
    configured). Each message matches one check; a failure lists the messages that did arrive."""
    from ..core.messaging import queues

    queues.receive_matching(ctx, queue, docstring)


@phrase('I store the message field "{path}" as "{name}"', example='I store the message field "$.order_id" as "order"')
def store_message_field(ctx: Context, path: str, name: str) -> None:
    """Store a field of the message the last queue check matched."""
    from ..core.messaging import queues

    queues.store_message_field(ctx, path, name)
