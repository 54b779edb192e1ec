"""The demo shop's redirects, for tests of following them or not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse, Response

__all__ = ["router"]

MAX_HOPS = 10
router = APIRouter()


@router.get(
    "/redirect/{hops}",
    tags=["diagnostics"],
    status_code=302,
    responses={302: {"description": "Found: Location is /redirect/{hops - 1}, or /products after the last"}},
)
async def redirect(hops: int) -> Response:
    """Redirect ``hops`` times (at most 10) with 302, then land on /products."""
    if not 1 <= hops <= MAX_HOPS:
        return JSONResponse({"error": f"hops must be between 1 and {MAX_HOPS}"}, status_code=400)
    return RedirectResponse("/products" if hops == 1 else f"/redirect/{hops - 1}", status_code=302)


@router.get("/redirect-loop", tags=["diagnostics"], status_code=302, responses={302: {"description": "Itself"}})
async def redirect_loop() -> RedirectResponse:
    """Redirect to itself, for ever: a client must give up."""
    return RedirectResponse("/redirect-loop", status_code=302)
