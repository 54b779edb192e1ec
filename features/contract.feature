Feature: Contract
  The shop keeps the contract its OpenAPI document promises, whatever the generated ids.

  Scenario: an order keeps the contract
    Given I obtain a token
    # The shop charges the order at the payment service: this test answers for it, and waits
    # for the charge at its end (a charge arriving in the next test would take that test's answers).
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response status is 201
    And the response conforms to the API spec
    And the response matches the schema "schemas/order.json"
    And the response matches:
      """
      {"id": "#uuid", "status": "pending", "items": "#[1]", "created": "#date-time", "total": "#? > 0"}
      """
    And each item of the response field "$.items" matches:
      """
      {"sku": "#string", "qty": "#integer", "price": "#number"}
      """
    And the response time is under 2 seconds
    And within 5 seconds the stub "payments" received 1 POST "/charges" request

  Scenario: every response of a visit conforms to the API spec
    Given every response must conform to the API spec
    When I GET "/products"
    Then the response content type is "application/json"
    And the response field "$[*].sku" has these items in any order:
      """
      ["B2", "A1"]
      """
    When I GET "/products/NOPE"
    Then the response status is 404
    And the response is:
      """
      {"error": "#string"}
      """
