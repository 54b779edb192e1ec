Feature: Orders
  The shop charges each order at a payment service, a third party that the tests stub,
  and announces orders on the "orders" queue.

  Background:
    Given I obtain a token
    And the "payments" service is stubbed

  Scenario: an order is paid, confirmed and announced
    Given the stub "payments" answers POST "/charges" with 201 and:
      """
      {"id": "ch_1", "status": "succeeded"}
      """
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response status is 201
    And the response field "$.status" is "pending"
    And I store the response field "$.id" as "order_id"
    And I DELETE "/orders/${order_id}" afterwards
    When I GET "/orders/${order_id}" until the response field "$.status" is "confirmed"
    Then the stub "payments" received 1 POST "/charges" request with a body matching:
      """
      {"order_id": "${order_id}", "amount": 59.98, "currency": "EUR"}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.created", "order_id": "${order_id}", "status": "pending"}
      """
    And I store the message field "$.total" as "total"
    And the "orders" queue receives a message matching:
      """
      {"type": "order.confirmed", "order_id": "${order_id}"}
      """

  Scenario: payments are down, then recover: the order is confirmed and charged exactly once
    Given the stub "payments" answers POST "/charges" in turn with:
      | answer    | body                                     |
      | 503 twice | {"error": "payment service unavailable"} |
      | 201       | {"id": "ch_1", "status": "succeeded"}    |
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    Then the response status is 201
    And I store the response field "$.id" as "order_id"
    And I DELETE "/orders/${order_id}" afterwards
    When I GET "/orders/${order_id}" until the response field "$.status" is "confirmed"
    Then the stub "payments" received 3 POST "/charges" requests with:
      | header Idempotency-Key | order-${order_id} |
      | field $.order_id       | ${order_id}       |
    And the stub "payments" answered 2 POST "/charges" requests with 503
    And the stub "payments" answered 1 POST "/charges" request with 201
    And the "orders" queue receives a message matching:
      """
      {"type": "order.created", "order_id": "${order_id}"}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.confirmed", "order_id": "${order_id}", "status": "confirmed"}
      """

  Scenario: when the payment service stays down, the order is marked failed and nothing is lost
    Given the stub "payments" answers POST "/charges" with 503 and:
      """
      {"error": "payment service unavailable"}
      """
    When I POST "/orders" with:
      """
      {"items": [{"sku": "B2", "qty": 1}]}
      """
    Then the response status is 201
    And I store the response field "$.id" as "order_id"
    And I DELETE "/orders/${order_id}" afterwards
    When I GET "/orders/${order_id}" for up to 15 seconds until the response field "$.status" is "failed"
    Then the stub "payments" received 3 POST "/charges" requests with a body matching:
      """
      {"order_id": "${order_id}"}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.created", "order_id": "${order_id}"}
      """
    And within 5 seconds the "orders" queue receives a message matching:
      """
      {"type": "order.failed", "order_id": "${order_id}", "status": "failed"}
      """
