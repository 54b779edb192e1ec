*** Settings ***
Documentation     The shop answers GraphQL queries at /graphql: its data is checked like any
...               response, its errors by their message.
Library           Seamline


*** Test Cases ***
A product by its sku, from variables
    Given I set the GraphQL variables:
    ...    | sku | A1 |
    When I send the GraphQL query:
    ...    query Product($sku: String!) { product(sku: $sku) { sku name price } }
    Then the response status is 200
    And the GraphQL response has no errors
    And the response field "$.data.product.name" is "Widget"
    And the response field "$.data.product" matches:
    ...    {"sku": "A1", "name": "#string", "price": "#number"}

One operation of a document, variables as JSON
    Given I set the GraphQL variables to:
    ...    {"max": 5}
    When I send the operation "Cheap" of the GraphQL document:
    ...    query Cheap($max: Float) { products(maxPrice: $max) { sku price } }
    ...    query Everything { products { sku } }
    Then the response field "$.data.products" has 2 items
    And each item of the response field "$.data.products" matches:
    ...    {"sku": "#string", "price": "#? <= 5"}

A field the schema does not have is an error
    When I send the GraphQL query:
    ...    { product(sku: "A1") { colour } }
    Then the GraphQL errors include "Cannot query field 'colour'"
