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

The shop wants its token in the usertoken header, not as a bearer token
    # The token is the one an earlier test obtained: the log says "reused".
    Given I obtain a token
    And I store the token as "t"
    And I set the header "usertoken" to ""
    When I use the bearer token "${t}"
    And I GET "/cart"
    Then the response status is 401
    Given I set the header "usertoken" to "${t}"
    When I GET "/cart"
    Then the response status is 200

A partner application signs in with OAuth2 client credentials
    # The "partner" profile posts grant_type=client_credentials to /oauth/token, once per run.
    Given I obtain a "partner" token as "bob"
    When I PUT "/cart" with:
    ...    {"items": [{"sku": "B2", "qty": 1}]}
    Then the response status is 200
    And the response field "$.items[0].sku" is "B2"

A mobile app signs in with a refresh token
    # The "mobile" profile trades alice's refresh token for a token (and the rotated refresh token).
    Given I obtain a "mobile" token as "alice"
    When I GET "/cart"
    Then the response status is 200
    And the response field "$.user" is "alice"
