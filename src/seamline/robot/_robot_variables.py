"""Seamline's variables as Robot variables too.

Robot resolves ``${name}`` itself, before Seamline sees a step; so that a suite reads what
Seamline reads, the config's variables, the generated ones (``${unique}``, ``${now}`` ...)
and every variable a step stores are set in Robot's variable scopes as well.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from robot.libraries.BuiltIn import BuiltIn

from ..core.context import Context, Runtime
from ..core.errors import SeamlineError
from ..core.values.variables import Scope
from ._compat import VariableSetter

__all__ = ["mirror", "publish_config_variables", "publish_generated"]


def publish_config_variables(runtime: Runtime, robot_set: VariableSetter) -> None:
    """The config's variables as global Robot variables. Under pabot, the pool id keeps
    ${unique} apart between the processes."""
    pool = BuiltIn().get_variable_value("${PABOTEXECUTIONPOOLID}")
    if pool is not None and not os.environ.get("SEAMLINE_WORKER"):
        runtime.generators.worker = f"pabot{pool}"
    if pool is not None:  # a process pabot started: the run's processes share its services
        from ..core.services.shared import worker_of_parent

        runtime.parallel_run = worker_of_parent("pabot")
    try:
        variables = runtime.config.variables
    except SeamlineError:
        return  # the first step that needs the config reports the error
    for name, value in variables.items():
        robot_set(name, value, Scope.GLOBAL, False)


def publish_generated(context: Context, robot_set: VariableSetter, in_test: bool) -> None:
    """${unique}, ${now} ... as Robot variables holding this test's values (the suite's, in a
    suite setup)."""
    try:
        taken = set(context.variables.names())  # a variable of a generator's name wins
    except SeamlineError:
        taken = set()  # a broken config: the first step that needs it says so
    for name, value in context.variables.generated().items():
        if name not in taken:
            robot_set(name, value, Scope.TEST, in_test)
    # A config variable that names generators (cfg-${unique}@x) reads this test's values.
    config = context.runtime.loaded_config
    for name, written in (config.variables if config is not None else {}).items():
        if context.variables.fill_generated(written) != written:
            robot_set(name, context.variables.get(name), Scope.TEST, in_test)


def mirror(robot_set: VariableSetter, in_test: bool) -> Callable[[str, object, Scope], None]:
    """A context's listener that sets each variable it stores in Robot as well, with
    ``robot_set`` (see :func:`._compat.variable_setter`)."""

    def mirror(name: str, value: object, scope: Scope) -> None:
        robot_set(name, value, scope, in_test)

    return mirror
