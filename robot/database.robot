*** Settings ***
Documentation     Orders placed through the API land in the shop's tables; products seeded
...               through the database are sold through the API; an id read by a query drives
...               the next request.
Library           Seamline


*** Test Cases ***
An order placed through the API is in the orders table
    Given I obtain a token
    # The shop charges the order at the payment service: this test answers for it, and waits
    # for the charge at its end (a charge arriving in the next test would take that test's answers).
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "/orders" with:
    ...    {"items": [{"sku": "A1", "qty": 2}]}
    Then the response status is 201
    And I store the response field "$.id" as "order_id"
    And the "orders" table has a row where:
    ...    | id | user | status | total |
    ...    | ${order_id} | alice | #notnull | 59.98 |
    When I run the query:
    ...    SELECT sku, qty, price FROM order_items WHERE order_id = ${order_id}
    Then the query returns:
    ...    | sku | qty | price |
    ...    | A1 | 2 | 29.99 |
    And within 5 seconds the stub "payments" received 1 POST "/charges" request

Products seeded through the database are sold through the API
    Given the "products" table contains:
    ...    | sku | name | price |
    ...    | Z9 | Gizmo | 12.50 |
    ...    | Y8 | Gewgaw | 3.05 |
    When I GET "/products/Z9"
    Then the response status is 200
    And the response field "$.name" is "Gizmo"
    And the response field "$.price" is 12.5
    And the "products" table has no row where:
    ...    | sku | price |
    ...    | Z9 | 12.49 |

An id read from the database drives the next request
    Given I obtain a token
    # The shop charges the order at the payment service: this test answers for it, and waits
    # for the charge at its end (a charge arriving in the next test would take that test's answers).
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "/orders" with:
    ...    {"items": [{"sku": "B2", "qty": 3}]}
    Then the response status is 201
    And I store the value of the query "SELECT id FROM orders ORDER BY rowid DESC LIMIT 1" as "newest"
    When I GET "/orders/${newest}"
    Then the response status is 200
    And the response field "$.total" is 28.5
    And within 5 seconds the stub "payments" received 1 POST "/charges" request

The same checks as classic keywords
    Given I obtain a token
    # The shop charges the order at the payment service: this test answers for it, and waits
    # for the charge at its end (a charge arriving in the next test would take that test's answers).
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "/orders" with:
    ...    {"items": [{"sku": "C3", "qty": 1}]}
    Then the response status is 201
    ${id}=    Get Response Field    $.id
    Row Should Exist    orders    id=${id}    status=#notnull    total=4.25    database=shop
    ${items}=    Query    SELECT sku, qty FROM order_items WHERE order_id = ${id}
    Should Be Equal As Integers    ${items}[0][qty]    1
    And within 5 seconds the stub "payments" received 1 POST "/charges" request
