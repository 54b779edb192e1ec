Feature: Redirects, timeouts and re-sending by count
  How one request is sent: whether a redirect is followed, how long it may take, and how
  often it is sent again until its answer is the one expected.

  Scenario: a redirect is followed, every hop in the log
    When I GET "/redirect/2"
    Then the response status is 200
    And the response field "$[0].sku" is "A1"

  Scenario: a redirect not followed is the answer
    Given I do not follow redirects
    When I GET "/redirect/1"
    Then the response status is 302
    And the response header "Location" is "/products"

  Scenario: one slow request gets a timeout of its own
    When I GET "/delay/0.2" with a timeout of 5 seconds
    Then the response status is 200
    And the response field "$.delay" is 0.2
    When I POST "/echo" with a timeout of 5 seconds and:
      """
      {"sku": "A1", "qty": 2}
      """
    Then the response field "$.body.qty" is 2

  Scenario: a request is sent again a counted number of times
    When I GET "/posts" up to 3 times, 200 ms apart, until the response field "$" has 3 items
    Then the response field "$[0].id" is 1
