Feature: Error paths
  The shop refuses what it must refuse, and says so.

  Scenario: the cart needs a token
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    Then the response status is 401

  Scenario: an unknown product is not found
    When I GET "/products/NOPE"
    Then the response status is 404
    And the response field "$.error" contains "NOPE"

  Scenario: bad credentials get no token
    When I POST "/auth/token" with:
      """
      {"username": "alice", "password": "not her password"}
      """
    Then the response status is 401
    And the response field "$.token" does not exist

  Scenario: malformed JSON in the cart is a bad request
    Given I obtain a token
    And I set the header "Content-Type" to "application/json"
    When I PUT "/cart" with:
      """
      {"items": [
      """
    Then the response status is 400
