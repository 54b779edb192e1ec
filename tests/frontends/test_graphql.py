"""GraphQL queries with variables and operation names, and checks of their errors and data:
through both front ends against the demo shop's /graphql."""

from __future__ import annotations

from tests.bilingual import Project, Scenario

PASSING = [
    Scenario.parse(
        "a query with variables from a table",
        '''
        Given I store "A1" as "sku"
        And I set the GraphQL variables:
          | sku | ${sku} |
        When I send the GraphQL query:
          """
          query Product($sku: String!) { product(sku: $sku) { sku name price } }
          """
        Then the response status is 200
        And the GraphQL response has no errors
        And the response field "$.data.product.name" is "Widget"
        And the response field "$.data.product.price" is 29.99
        And the response field "$.data.product" matches:
          """
          {"sku": "A1", "name": "#string", "price": "#number"}
          """
        ''',
    ),
    Scenario.parse(
        "variables from JSON keep their types",
        '''
        Given I set the GraphQL variables to:
          """
          {"max": 5}
          """
        When I send the GraphQL query:
          """
          query Cheap($max: Float) { products(maxPrice: $max) { sku } }
          """
        Then the GraphQL response has no errors
        And the response field "$.data.products[*].sku" has these items in any order:
          """
          ["C3", "D4"]
          """
        ''',
    ),
    Scenario.parse(
        "a table value 2 is a number",
        '''
        Given I set the GraphQL variables:
          | id | 2 |
        When I send the GraphQL query:
          """
          query Post($id: Int!) { post(id: $id) { id } }
          """
        Then the response field "$.data.post.id" is 2
        ''',
    ),
    Scenario.parse(
        "the operation to run is named",
        '''
        When I send the operation "OnePost" of the GraphQL document:
          """
          query AllProducts { products { sku } }
          query OnePost { post(id: 1) { title } }
          """
        Then the response field "$.data.post.title" exists
        And the response field "$.data.products" does not exist
        ''',
    ),
    Scenario.parse(
        "errors are checked by their message",
        '''
        When I send the GraphQL query:
          """
          { product(sku: "A1") { colour } }
          """
        Then the response status is 200
        And the GraphQL errors include "Cannot query field 'colour'"
        ''',
    ),
]

FAILING = {
    "a document that does not parse": (
        '''
        When I send the GraphQL query:
          """
          query { product(sku: "A1") { name }
          """
        ''',
        "the GraphQL query does not parse at line 1, column 36: Syntax Error: Expected Name, found <EOF>.",
    ),
    "an operation the document does not have": (
        '''
        When I send the operation "Nope" of the GraphQL document:
          """
          query One { products { sku } }
          """
        ''',
        "the GraphQL document has no operation 'Nope' (its operations: One)",
    ),
    "errors where none are expected": (
        '''
        When I send the GraphQL query:
          """
          { nope }
          """
        Then the GraphQL response has no errors
        ''',
        "expected no GraphQL errors, got \"Cannot query field 'nope' on type 'Query'.\"",
    ),
    "an error that is not there": (
        '''
        When I send the GraphQL query:
          """
          { products { sku } }
          """
        Then the GraphQL errors include "boom"
        ''',
        "expected a GraphQL error containing 'boom', got: no errors",
    ),
    "variables that are not an object": (
        '''
        Given I set the GraphQL variables to:
          """
          [1, 2]
          """
        ''',
        "the GraphQL variables are a JSON object, not [1, 2]",
    ),
}


def test_graphql_queries_variables_operations_and_errors(project: Project, front_end: str) -> None:
    failing = [Scenario.parse(name, steps) for name, (steps, _) in FAILING.items()]
    run = project.run(front_end, *PASSING, *failing)
    for scenario in PASSING:
        assert run[scenario.name].passed, f"{scenario.name}: {run[scenario.name].message}\n{run.output[-3000:]}"
    for scenario in failing:
        outcome = run[scenario.name]
        assert not outcome.passed, scenario.name
        first = outcome.message.splitlines()[0]
        assert FAILING[scenario.name][1] in first, first
        assert "failed:" in first and "Traceback" not in outcome.message
