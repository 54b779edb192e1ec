*** Settings ***
Documentation     A signed-in user fills their cart; the cart answers with what it holds.
Library           Seamline


*** Test Cases ***
A signed-in user fills the cart
    Given I obtain a token
    When I PUT "/cart" with:
    ...    {"items": [{"sku": "A1", "qty": 2}]}
    Then the response status is 200
    And the response field "$.items[0].sku" is "A1"
    And the response field "$.items[0].qty" is 2
    And I store the response field "$.items[0].sku" as "sku"
    When I GET "/products/${sku}"
    Then the response status is 200
