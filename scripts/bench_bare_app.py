"""The baseline for the HTTP benchmarks: a bare Falcon app with two small JSON endpoints.

No middleware, no database, no authentication: what gunicorn and Falcon cost on their
own. scripts/bench_http.py (``GET /bare``) and scripts/bench_scans.py (``POST
/bare/echo``) serve it with exactly the gunicorn settings Accredit uses, as
``bench_bare_app:create_app()`` (the scripts folder is on the servers' PYTHONPATH).
"""

from __future__ import annotations

import falcon

BARE_PATH = "/bare"
ECHO_PATH = "/bare/echo"


class HelloResource:
    """Answers a small JSON body, about the size of the tenant query's answer."""

    def on_get(self, _req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "name": "Bare organiser",
            "features": ["REST_API", "WEBHOOKS"],
            "version": 1,
        }


class EchoResource:
    """Reads a JSON body and answers one of about a scan answer's size (bench_scans.py)."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        resp.media = {
            "result": "OK",
            "reason": "let through",
            "entered": [],
            "left": [],
            "replayed": False,
            **body,
        }


def create_app() -> falcon.App[falcon.Request, falcon.Response]:
    """The WSGI app gunicorn serves as the baseline."""
    app = falcon.App()
    app.add_route(BARE_PATH, HelloResource())
    app.add_route(ECHO_PATH, EchoResource())
    return app
