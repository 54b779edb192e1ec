"""What one test chose about contracts: the API spec per service, and whether every response
is checked against it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ContractState"]


@dataclass
class ContractState:
    spec_by_service: dict[str, str] = field(default_factory=dict)  # service name -> spec location
    check_every_response: bool = False
