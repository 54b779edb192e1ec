"""HTTP connections kept alive across the requests of a test and across tests, in both front
ends; and Robot's classic HTTP keywords (ordinary arguments, values returned)."""

from __future__ import annotations

from tests.bilingual import Project, Scenario


def test_the_requests_of_a_run_share_one_kept_alive_connection(project: Project, front_end: str) -> None:
    # The demo shop's /echo reports the client's port: one port, one TCP connection.
    first = Scenario.parse(
        "several requests of one test",
        '''
        When I GET "/echo"
        Then I store the response field "$.client_port" as "port"
        And I keep "port" for the suite
        When I POST "/echo" with:
          """
          {"sku": "A1"}
          """
        Then the response field "$.client_port" is ${port}
        When I GET "/products/NOPE"
        Then the response status is 404
        When I GET "/products/A1"
        And I GET "/echo?page=2"
        Then the response field "$.client_port" is ${port}
        ''',
    )
    second = Scenario.parse(
        "the next test of the run",
        '''
        When I GET "/echo"
        Then the response field "$.client_port" is ${port}
        ''',
    )
    run = project.run(front_end, first, second)
    for name in ("several requests of one test", "the next test of the run"):
        assert run[name].passed, run[name].message


def test_robot_classic_http_keywords(project: Project) -> None:
    classic = Scenario.parse(
        "classic HTTP keywords",
        """
        Set Request Header    X-Trace    abc-123
        &{once}=    Create Dictionary    X-Once=yes
        &{body}=    Create Dictionary    sku=A1    qty=${2}
        ${status}=    Send Request    POST    /echo    ${body}    headers=${once}
        Should Be Equal    ${status}    ${200}
        ${method}=    Get Response Field    $.method
        Should Be Equal    ${method}    POST
        ${qty}=    Get Response Field    $.body.qty
        Should Be Equal    ${qty}    ${2}
        ${sent}=    Get Response Field    $.headers
        Should Be Equal    ${sent}[x-once]    yes
        Should Be Equal    ${sent}[x-trace]    abc-123
        Should Be Equal    ${sent}[content-type]    application/json
        ${type}=    Get Response Header    content-type
        Should Be Equal    ${type}    application/json
        ${none}=    Get Response Header    X-Not-There
        Should Be Equal    ${none}    ${None}
        ${code}=    Get Response Status
        Should Be Equal    ${code}    ${200}
        ${answer}=    Get Response Body
        Should Be Equal    ${answer}[path]    /echo
        Should Be Equal    ${answer}[body]    ${body}
        ${status}=    Send Request    PUT    /echo    plain words
        ${answer}=    Get Response Body
        Should Be Equal    ${answer}[body]    plain words
        Should Be Equal    ${answer}[content_type]    text/plain; charset=utf-8
        ${status}=    Send Request    GET    /products/NOPE
        Should Be Equal    ${status}    ${404}
        ${status}=    Send Request    GET    /echo
        ${sent}=    Get Response Field    $.headers
        Dictionary Should Not Contain Key    ${sent}    x-once
        Should Be Equal    ${sent}[x-trace]    abc-123
        """,
    )
    text_answer = Scenario.parse(
        "a body that is not JSON",
        '''
        Given the "words" service is stubbed
        And the stub "words" answers GET "/words" with 200 and:
          """
          plain words
          """
        ${status}=    Send Request    GET    ${words_url}/words
        ${answer}=    Get Response Body
        Should Be Equal    ${answer}    plain words
        ''',
    )
    no_response = Scenario.parse("no response yet", "${status}=    Get Response Status")
    settings = "Library    Seamline\nLibrary    Collections"
    run = project.run_robot(classic, text_answer, no_response, settings=settings)
    for name in ("classic HTTP keywords", "a body that is not JSON"):
        assert run[name].passed, run[name].message
    assert not run["no response yet"].passed
    first = run["no response yet"].message.splitlines()[0]
    assert first == (
        "Step 'Get Response Status' (test.robot:49) failed: "
        "no response yet: send a request before checking or storing its response"
    ), first
