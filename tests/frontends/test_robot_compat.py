"""The Robot front end on Robot Framework's public APIs: the few internals it still uses live
in one guarded module, and with them switched off (``SEAMLINE_ROBOT_PUBLIC_ONLY=1``) the
suites behave the same: variables, SQL and paths as written, failure messages, secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from seamline.robot import _compat
from tests.analysts.test_reports_and_secrets import (  # noqa: F401  (secret_project is a fixture)
    BEARER,
    USES_SECRETS,
    _assert_no_secret,
    _texts_of,
    _tokens,
    secret_project,
)
from tests.bilingual import Project, Scenario

ROOT = Path(__file__).resolve().parents[2]
MODES = ("internals", "public only")
PRIVATE_NAMES = r"EXECUTION_CONTEXTS\|_pytest_bdd_example\|from_name"
STEP = r"^Step '{}' \(test\.robot:\d+\) "


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "public only":
        monkeypatch.setenv(_compat.PUBLIC_ONLY_ENV, "1")
    else:
        monkeypatch.delenv(_compat.PUBLIC_ONLY_ENV, raising=False)
    return str(request.param)


def test_internals_are_named_in_one_module_only() -> None:
    found = subprocess.run(
        ["grep", "-rln", "--include=*.py", PRIVATE_NAMES, "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert found.stdout.split() == ["src/seamline/robot/_compat.py"]


def test_the_guard_knows_this_robot_and_the_switch_turns_internals_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _compat.INTERNALS_KNOWN  # the Robot Framework installed here: the fast path is taken
    monkeypatch.delenv(_compat.PUBLIC_ONLY_ENV, raising=False)
    assert _compat.use_internals() and _compat.variable_setter() is _compat._set_quietly
    monkeypatch.setenv(_compat.PUBLIC_ONLY_ENV, "1")
    assert not _compat.use_internals() and _compat.variable_setter() is _compat._set_publicly


def test_stored_values_are_robot_variables_on_both_paths(project: Project, mode: str) -> None:
    steps = (
        '    Given I store "a b/c" as "odd"\n'
        '    And I store "${odd}" as "copy"\n'
        '    When I GET "/products/${copy}"\n'
        "    Then the response status is 404\n"
        "    Should Be Equal    ${copy}    a b/c\n"
        "    Should Match Regexp    ${unique}    .+"
    )
    scenario = _Raw("stored values", steps)
    outcome = project.run_robot(scenario)[scenario.name]
    assert outcome.passed, outcome.message


class _Raw(Scenario):
    """A Robot test given as its text, for steps of other libraries."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.text = text

    def as_robot(self) -> str:
        return f"{self.name}\n{self.text}"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            'Given I store "A1" as "sku"\nWhen I GET "/products/${skew}"',
            STEP.format(re.escape('When I GET "/products/${skew}"'))
            + r"failed: unknown variable \$\{skew\}; known variables: .*sku",
        ),
        ('When I GIT "/products"', STEP.format(re.escape('When I GIT "/products"')) + "matches no phrase; closest "),
        (
            'When I GET "/products/A1"\nThen the response field "$.sku" is "B2"',
            STEP.format(re.escape('Then the response field "$.sku" is "B2"')) + "failed: ",
        ),
    ],
    ids=["unknown variable", "unknown step", "failed check"],
)
def test_failures_name_the_step_and_line_on_both_paths(project: Project, mode: str, steps: str, expected: str) -> None:
    scenario = Scenario.parse("a failing step", steps)
    message = project.run_robot(scenario)[scenario.name].message
    assert re.search(expected, message), message


def test_an_unknown_variable_in_another_librarys_step_is_explained(project: Project, mode: str) -> None:
    scenario = _Raw("another library", '    I store "A1" as "sku"\n    Should Be Equal    ${skew}    A1')
    message = project.run_robot(scenario)[scenario.name].message
    assert message.startswith("Step 'Should Be Equal' (test.robot:"), message
    assert "unknown variable ${skew}; known variables:" in message and "sku" in message


def test_a_variable_whose_value_is_none_is_no_unknown_variable(project: Project, mode: str) -> None:
    scenario = _Raw("none", "    ${nothing}=    Set Variable    ${None}\n    Should Be Equal    ${nothing}    x")
    message = project.run_robot(scenario)[scenario.name].message
    assert message == "None != x", message


def test_no_secret_in_robot_output_on_the_public_path(
    secret_project: Project,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # BuiltIn's Set Test Variable logs the value it sets: the listener must mask it there too.
    monkeypatch.setenv(_compat.PUBLIC_ONLY_ENV, "1")
    result = secret_project.run_robot(USES_SECRETS, BEARER, loglevel="TRACE")
    assert not result[USES_SECRETS.name].passed and not result[BEARER.name].passed
    outputs = sorted((secret_project.root / "robot-results").iterdir())
    texts = {"console": result.output, **{p.name: _texts_of(p) for p in outputs}}
    _assert_no_secret(texts, _tokens(tmp_path_factory))
    assert "${token} = ***" in texts["output.xml"]  # the public path did log the assignment, masked


def test_a_passing_step_is_written_without_its_doc_and_tags_a_failing_one_with_them(
    project: Project, mode: str
) -> None:
    from robot.api import ExecutionResult

    scenario = _Raw(
        "doc and tags",
        '    I GET "/products/A1"\n    Log    plain\n    the response status is 500',
    )
    assert not project.run_robot(scenario)[scenario.name].passed
    test = ExecutionResult(str(project.root / "robot-results" / "output.xml")).suite.all_tests.__next__()
    sent, logged, failed = test.body
    assert sent.passed and sent.doc == "" and list(sent.tags) == []
    assert sent.messages and "-> 200" in sent.messages[0].message  # the exchange stays in the log
    assert logged.doc.startswith("Logs the given message")  # another library's keyword: as Robot writes it
    assert failed.failed and failed.doc != "" and "phrase" in failed.tags


def test_only_the_keywords_a_step_could_match_are_tried_and_compiled() -> None:
    """The catalog's patterns are compiled when first matched, and a lookup tries only the
    keywords whose literal start the step has: the same keywords are found as by Robot's
    search over all of them, for every phrase's example, with Given/When, case and spacing."""
    from robot.running import TestLibrary
    from robot.running.arguments.embedded import EmbeddedArguments
    from robot.running.keywordfinder import KeywordCache

    from seamline.steps import CATALOG

    # The parse of a name is kept for the process: an earlier run here may have compiled some.
    getattr(EmbeddedArguments.__dict__["from_name"].__func__, "cache_clear", lambda: None)()
    library = TestLibrary.from_name("Seamline")
    remembering = _compat._remembering_cache_class()(library.keywords)
    late = [kw for kw in remembering.embedded if isinstance(kw.embedded.name, _compat._LatePattern)]
    # Every catalog keyword with embedded arguments has a pattern compiled only when first used.
    assert len(late) == sum("${" in phrase.robot_name() for phrase in CATALOG.values()) > 90
    names = [phrase.example.splitlines()[0].strip() for phrase in CATALOG.values()]
    names += [f"Given {name}" for name in names[:20]] + [name.upper() for name in names[:20]]
    names += [name.replace(" ", "  ", 1) for name in names[:20]] + ["No Operation", "I  GET   \"/x\"", "é"]
    robot_search = KeywordCache(library.keywords)
    for name in names:
        expected = [kw.name for kw in robot_search.find(name)]
        assert [kw.name for kw in remembering.find(name)] == expected, name
    (found,) = remembering.find('I GET "/products/A1"')
    assert found.name.startswith("I ${method:")
    tried = _compat._could_match('I GET "/products/A1"', remembering.heads)
    assert 0 < len(tried) < len(CATALOG) / 4  # a step tries few of the catalog's keywords


def test_a_late_pattern_once_compiled_is_what_robot_matches_against() -> None:
    """Robot matches a step against a keyword's pattern on every call: once compiled, the
    pattern itself replaces the stand-in, and matches as Robot's own parse does."""
    from robot.running.arguments.embedded import EmbeddedArgumentParser

    name = 'I fetch "${thing}" ${times:\\d+} times'
    embedded = _compat._late_parser_class()().parse(name)
    assert isinstance(embedded.name, _compat._LatePattern)
    assert embedded.parse_args('I fetch "a b" 3 times') == ("a b", "3")
    assert isinstance(embedded.name, re.Pattern)
    assert embedded.name.pattern == EmbeddedArgumentParser().parse(name).name.pattern
    assert not embedded.matches('I fetch "a b" x times')


def test_a_keyword_found_once_is_an_attribute_of_the_library() -> None:
    """Robot gets a keyword's function from the library on every call: the second time it is
    found without the library's ``__getattr__``."""
    from seamline.robot import Seamline

    library = Seamline()
    name = next(name for name in library.get_keyword_names() if name.startswith("I GET") or "GET" in name)
    first = getattr(library, name)
    assert vars(library)[name] is first and getattr(library, name) is first
    with pytest.raises(AttributeError):
        getattr(library, "no such keyword")


def test_a_secret_is_revealed_inside_containers_and_texts_only_are_not_copied() -> None:
    from seamline.core.values.secrets import Secrets
    from seamline.robot._as_written import revealed

    if _compat.SECRET_TYPE is None:
        pytest.skip("a Robot Framework without Secret")
    secrets = Secrets()
    plain = ("a", "b", 2)
    assert revealed(plain, secrets) is plain
    held = ("a", [_compat.SECRET_TYPE("s3cr3t-1")], {"k": _compat.SECRET_TYPE("s3cr3t-2")})
    assert revealed(held, secrets) == ("a", ["s3cr3t-1"], {"k": "s3cr3t-2"})
    assert revealed({"k": ("x", _compat.SECRET_TYPE("s3cr3t-3"))}, secrets) == {"k": ("x", "s3cr3t-3")}
    assert secrets.mask("s3cr3t-1 s3cr3t-2 s3cr3t-3") == "*** *** ***"
