"""How a failed match reads: a summary line, every mismatch as a row, and a long body
shown around the first mismatch instead of cut after its beginning."""

from __future__ import annotations

import json

from seamline.core.errors import CheckFailed
from seamline.core.http.document_checks import mismatch_failure
from seamline.core.http.exchange import Response
from seamline.core.matching.matcher import match
from seamline.core.values.secrets import Secrets
from seamline.frontend import failure_message


def _response(document: object) -> Response:
    return Response(
        method="GET",
        url="http://127.0.0.1:1/orders",
        status=200,
        reason="OK",
        headers={"Content-Type": "application/json"},
        content=json.dumps(document).encode(),
        elapsed_ms=3.0,
        request_headers={},
        request_body=None,
    )


def test_a_long_body_is_shown_around_the_first_mismatch() -> None:
    document = {"items": [{"sku": f"S{i:03}", "qty": 1, "note": "x" * 40} for i in range(100)]}
    document["items"][80]["qty"] = 0
    found = match({"items": [{"qty": "#? > 0"}] * 100}, document)
    failure = mismatch_failure(_response(document), "the response does not match", found, document)

    assert failure.message.startswith("the response does not match in 1 place: $.items[80].qty: expected #? > 0")
    assert failure.mismatches == (("$.items[80].qty", "#? > 0", "0"),)
    assert "(a long body: the part at $.items[80])" in failure.details
    assert '"sku": "S080"' in failure.details
    assert '"sku": "S000"' not in failure.details  # the beginning of the body is not what matters here


def test_a_short_body_is_shown_whole() -> None:
    document = {"status": "paid"}
    failure = mismatch_failure(_response(document), "the response does not match", match({"status": "new"}, document))
    assert '"status": "paid"' in failure.details
    assert "a long body" not in failure.details


def test_the_one_line_names_three_mismatches_and_counts_the_rest() -> None:
    document = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    expected = {key: "#string" for key in document}
    failure = mismatch_failure(_response(document), "the response does not match", match(expected, document))
    assert failure.message.endswith("$.c: expected #string, actual 3; and 2 more")
    assert len(failure.mismatches) == 5


def test_front_ends_put_every_row_in_the_details_with_secrets_masked() -> None:
    secrets = Secrets()
    secrets.add("s3cret-token")
    failure = CheckFailed("it differs", details="response: ...", mismatches=[("$.token", '"#uuid"', '"s3cret-token"')])
    line, details = failure_message(failure, "Then the response matches:", "a.feature:3", secrets)
    assert line == "Step 'Then the response matches:' (a.feature:3) failed: it differs"
    assert details.splitlines()[:2] == ["path     expected  actual", '$.token  "#uuid"   "***"']
    assert details.endswith("response: ...")
