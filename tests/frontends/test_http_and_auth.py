"""Requests shaped by phrases (bodies, forms, files, headers, query) and the ways to
authenticate, checked through the demo shop's /echo in both front ends."""

from __future__ import annotations

from tests.bilingual import Project, Scenario

SHAPES = [
    Scenario.parse(
        "a JSON body gets a JSON content type",
        '''
        When I PATCH "/echo" with:
          """
          {"qty": 2}
          """
        Then the response field "$.method" is "PATCH"
        And the response field "$.headers['content-type']" is "application/json"
        And the response field "$.body.qty" is 2
        ''',
    ),
    Scenario.parse(
        "a text body is sent as text",
        '''
        When I POST "/echo" with:
          """
          hello ${who}
          """
        Then the response field "$.headers['content-type']" contains "text/plain"
        And the response field "$.body" is "hello world"
        ''',
    ),
    Scenario.parse(
        "a body with its own content type is sent as it is",
        '''
        Given I set the header "Content-Type" to "application/xml"
        When I POST "/echo" with:
          """
          <order id='1'/>
          """
        Then the response field "$.content_type" is "application/xml"
        And the response field "$.body" is "<order id='1'/>"
        ''',
    ),
    Scenario.parse(
        "form fields come from a table",
        """
        When I POST "/echo" with the form:
          | user | ${who} |
          | note | a&b c |
        Then the response field "$.body.user" is "world"
        And the response field "$.body.note" is "a&b c"
        And the response field "$.content_type" is "application/x-www-form-urlencoded"
        """,
    ),
    Scenario.parse(
        "multipart forms upload files",
        """
        When I POST "/echo" with the multipart form:
          | title | Report |
          | file | @upload.txt |
        Then the response field "$.body.fields.title" is "Report"
        And the response field "$.body.files.file.filename" is "upload.txt"
        And the response field "$.body.files.file.size" is 11
        """,
    ),
    Scenario.parse(
        "headers last for the test, query parameters for one request",
        """
        Given I set the header "X-Trace" to "t-${who}"
        And I set the headers:
          | Accept-Language | fr |
        And I set the query parameter "q" to "a b&c"
        And I store "x" as "letter"
        And I set the query parameters:
          | r | ${letter}-y |
        When I GET "/echo"
        Then the response field "$.query.q" is "a b&c"
        And the response field "$.query.r" is "x-y"
        And the response header "content-length" is greater than 10
        And the response field "$.headers['x-trace']" is "t-world"
        And the response field "$.headers['accept-language']" is "fr"
        When I GET "/echo"
        Then the response field "$.query.q" does not exist
        And the response field "$.headers['x-trace']" is "t-world"
        """,
    ),
    Scenario.parse(
        "a variable in a path is encoded",
        """
        Given I store "a b?d" as "odd"
        When I GET "/products/${odd}"
        Then the response status is 404
        And the response field "$.error" contains "a b?d"
        """,
    ),
    Scenario.parse(
        "any method and full URLs",
        """
        When I send a PURGE request to "/echo"
        Then the response status is 405
        When I OPTIONS "${base}/echo"
        Then the response field "$.method" is "OPTIONS"
        When I HEAD "/echo"
        Then the response status is 200
        """,
    ),
    Scenario.parse(
        "bearer, basic and API key headers",
        """
        Given I use the bearer token "abc.def.ghi"
        When I GET "/echo"
        Then the response field "$.headers.authorization" is "Bearer abc.def.ghi"
        Given I use basic auth as "alice" with password "s3cret"
        When I GET "/echo"
        Then the response field "$.headers.authorization" is "Basic YWxpY2U6czNjcmV0"
        Given I use the API key "k-123" in the header "X-Api-Key"
        When I GET "/echo"
        Then the response field "$.headers['x-api-key']" is "k-123"
        """,
    ),
    Scenario.parse(
        "a token from an auth profile rides in its header",
        """
        Given I obtain a token as "bob"
        When I GET "/cart"
        Then the response status is 200
        And the response field "$.user" is "bob"
        When I GET "/echo"
        Then the response field "$.headers.usertoken" is "${token}"
        """,
    ),
    Scenario.parse(
        "status, header and store phrases",
        """
        When I GET "/status/503"
        Then the response status is 5xx
        And the response status is 503
        And I store the response status as "code"
        And I store the response header "Content-Type" as "kind"
        When I GET "/echo?code=${code}&kind=${kind}"
        Then the response field "$.query.code" is "503"
        And the response field "$.query.kind" is "application/json"
        """,
    ),
]


def test_request_shapes(project: Project, front_end: str) -> None:
    (project.root / "upload.txt").write_text("hello files", encoding="utf-8")
    config = (project.root / "seamline.yaml").read_text(encoding="utf-8")
    project.write_config(config + f"variables:\n  who: world\n  base: {project.demo_url}\n")
    result = project.run(front_end, *SHAPES)
    failures = {name: o.message for name, o in result.outcomes.items() if not o.passed}
    assert not failures, failures
    assert len(result.outcomes) == len(SHAPES), result.output
