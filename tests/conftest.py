"""Shared fixtures: a real demo shop on loopback, a test project, and the front end to run it in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bilingual import FRONT_ENDS, Project


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file of the session's demo shop."""
    return tmp_path_factory.mktemp("demo") / "shop.db"


@pytest.fixture(scope="session")
def demo_url(demo_db: Path) -> Iterator[str]:
    """The demo shop, served once for the whole test session on a free loopback port."""
    from seamline.demo import running_demo

    with running_demo(db_path=demo_db) as url:
        yield url


@pytest.fixture
def project(tmp_path: Path, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty test project whose seamline.yaml points at the demo shop."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEAMLINE_ENV", raising=False)
    monkeypatch.delenv("SEAMLINE_CONFIG", raising=False)
    return Project(tmp_path, demo_url)


@pytest.fixture(params=FRONT_ENDS)
def front_end(request: pytest.FixtureRequest) -> str:
    """Each front end in turn: the test runs once through Robot and once through pytest
    (``project.run(front_end, ...)``). A test that runs only some pairs parametrizes
    ``front_end`` itself, which overrides this fixture."""
    return str(request.param)
