"""What one test chose about contracts: the API spec per service, and whether every response
is checked against it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ContractState"]


@dataclass
class ContractState:
    spec_by_service: dict[str, str] = field(default_factory=dict)  # service name -> spec location
    check_every_response: bool = False
    # "... by the end of the test": each response that did not conform ("GET /products/X")
    # and its (path, expected, actual) rows, kept for the end.
    report_at_end: bool = False
    nonconforming: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
