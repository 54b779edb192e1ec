*** Settings ***
Documentation     A run that fails on purpose, for the documentation's pictures of a failure
...               (scripts/screenshots.py): the shop answers, but not what the test expects.
Library           Seamline


*** Test Cases ***
A placed order is shipped at once
    Given I obtain a token
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201 and:
    ...    {"id": "ch_1", "status": "succeeded"}
    When I POST "/orders" with:
    ...    {"items": [{"sku": "A1", "qty": 2}]}
    And I store the response field "$.id" as "order_id"
    And I DELETE "/orders/${order_id}" afterwards
    Then the response status is 201
    And the response matches:
    ...    {"id": "#uuid", "status": "shipped", "items": "#[3]", "total": 59.98}
