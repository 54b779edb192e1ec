"""`seamline init`: a new test project that passes against the demo shop at once.

The files show each thing an analyst uses: a configuration with a managed service and
an auth profile, a phrasebook, a feature file with an outline and a data file, and the
same tests as a Robot suite; and the editor settings that complete and check them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["FILES", "scaffold"]

FILES: dict[str, str] = {
    "seamline.yaml": """\
# Seamline configuration: found by both runners from the working directory upward.
# Point `shop` at your own service by replacing it with:   shop: https://shop.example.com/api

services:
  shop:
    # The demo shop, started by Seamline on a free port and stopped at the end of the run.
    base_url: http://127.0.0.1:${port}
    start:
      command: ${python} -m seamline.demo --port ${port}
      health: /health

auth:
  shop:
    request:
      path: /auth/token
      body: {"username": "${username}", "password": "${password}"}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      # Passwords come from the environment; the defaults are the demo shop's own users.
      alice:
        password: ${env:SHOP_ALICE_PASSWORD:-wonderland}
""",
    "phrases.yaml": """\
# Your team's own phrases: each stands for the steps below it, in both runners.
# `seamline steps` lists them with the built-in ones.

- phrase: I add {qty} of "{sku}" to the cart
  description: Sign in and put one product in the cart, replacing what it held.
  example: I add 2 of "A1" to the cart
  steps:
    - I obtain a token
    - I PUT "/cart" with: |
        {"items": [{"sku": "{sku}", "qty": {qty}}]}
    - the response status is 200
""",
    "features/shop.feature": """\
Feature: Shop
  Run with `pytest features/`, or `robot --parser GherkinParser features/`.

  Scenario: a signed-in user fills the cart
    When I add 2 of "A1" to the cart
    Then the response field "$.items[0].sku" is "A1"
    And the response field "$.total" is 59.98

  Scenario Outline: a product is found by its SKU
    When I GET "/products/<sku>"
    Then the response status is <status>

    Examples:
      | sku  | status |
      | A1   | 200    |
      | NOPE | 404    |

  @data:products.csv
  Scenario: every product has its price
    When I GET "/products/${sku}"
    Then the response field "$.price" is ${price}
""",
    "features/products.csv": """\
sku,price
A1,29.99
B2,9.5
""",
    "features/seamline.resource": """\
*** Settings ***
Documentation     Robot's GherkinParser imports the resource files beside a feature file:
...               this one gives the feature files Seamline's phrases.
Library           Seamline
""",
    "robot/shop.robot": """\
*** Settings ***
Documentation     Run with `robot robot/`.
Library           Seamline

*** Test Cases ***
A signed-in user fills the cart
    When I add 2 of "A1" to the cart
    Then the response field "$.items[0].sku" is "A1"
    And the response field "$.total" is 59.98

A product is found by its SKU
    [Template]    Product ${sku} answers ${status}
    A1      200
    NOPE    404

Every product has its price
    [Tags]    data:../features/products.csv
    When I GET "/products/${sku}"
    Then the response field "$.price" is ${price}

*** Keywords ***
Product ${sku} answers ${status}
    When I GET "/products/${sku}"
    Then the response status is ${status}
""",
}


def scaffold(directory: Path) -> list[Path]:
    """Write the project's files and its editor settings (:mod:`._editors`, with the glue
    of its phrasebook's phrases); refuse to overwrite any that exist."""
    from ._editors import EDITOR_FILES, editor_files, phrases_of

    existing = [str(directory / name) for name in [*FILES, *EDITOR_FILES] if (directory / name).exists()]
    if existing:
        raise FileExistsError(f"not overwriting: {', '.join(existing)}")
    targets = _write(directory, FILES)
    return targets + _write(directory, editor_files(phrases_of(directory / "seamline.yaml")))


def _write(directory: Path, files: dict[str, str]) -> list[Path]:
    targets = [directory / name for name in files]
    for path, text in zip(targets, files.values(), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return targets
