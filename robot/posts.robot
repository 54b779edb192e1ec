*** Settings ***
Documentation     Chained calls: what one response says decides the next request.
Library           Seamline


*** Test Cases ***
The first post's comments belong to it
    When I GET "/posts"
    Then the response status is 200
    And the response field "$" has 3 items
    And I store the response field "$[0].id" as "id"
    When I GET "/posts/${id}/comments"
    Then the response status is 200
    And the response field "$[*].postId" contains ${id}
    And the response field "$[0].email" matches "^[^@]+@[^@]+$"

An unknown post has no comments
    When I GET "/posts/999/comments"
    Then the response status is 404
    And the response field "$.error" exists
