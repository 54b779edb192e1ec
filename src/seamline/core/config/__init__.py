"""``seamline.yaml``: services, databases, auth profiles, brokers, queues, stubs, variables,
user phrases and named environments.

- :mod:`.settings`: what the rest of Seamline reads (plain dataclasses, no pydantic);
- :mod:`.schema`: the file's declared shape (pydantic models, JSON Schema);
- :mod:`.loading`: YAML with line numbers, checked against the schema, built into settings;
- :mod:`.phrasebook`: ``phrases.yaml``, the user phrases.

Secrets never live in the file: ``${env:NAME}`` (or ``${env:NAME:-default}``) reads an
environment variable when the file is loaded; a value read that way is a secret unless it
names something (a service's address and start command, a user's name, a variable marked
``secret: false``). Generators (``${unique}`` ...) are read per test, as in steps.
"""

from __future__ import annotations

from .loading import find_config, load_config
from .settings import (
    CONFIG_NAMES,
    DEFAULT_BROKER_URL,
    DEFAULT_QUEUE_WAIT,
    DEFAULT_TIMEOUT,
    AuthProfile,
    BrokerConfig,
    Config,
    DatabaseConfig,
    ManagedStart,
    OpenApiConfig,
    QueueConfig,
    RetryPolicy,
    ServiceConfig,
    StubConfig,
    UntilSettings,
)

__all__ = [
    "CONFIG_NAMES",
    "DEFAULT_BROKER_URL",
    "DEFAULT_QUEUE_WAIT",
    "DEFAULT_TIMEOUT",
    "AuthProfile",
    "BrokerConfig",
    "Config",
    "DatabaseConfig",
    "ManagedStart",
    "OpenApiConfig",
    "QueueConfig",
    "RetryPolicy",
    "ServiceConfig",
    "StubConfig",
    "UntilSettings",
    "find_config",
    "load_config",
]
