"""The baseline for scripts/bench_http.py: a bare Falcon app with one small JSON endpoint.

No middleware, no database, no authentication: what gunicorn and Falcon cost on their
own. scripts/bench_http.py serves it with exactly the gunicorn settings Accredit uses,
as ``bench_bare_app:create_app()`` (the scripts folder is on the servers' PYTHONPATH).
"""

from __future__ import annotations

import falcon

BARE_PATH = "/bare"


class HelloResource:
    """Answers a small JSON body, about the size of the tenant query's answer."""

    def on_get(self, _req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "name": "Bare organiser",
            "features": ["REST_API", "WEBHOOKS"],
            "version": 1,
        }


def create_app() -> falcon.App[falcon.Request, falcon.Response]:
    """The WSGI app gunicorn serves as the baseline."""
    app = falcon.App()
    app.add_route(BARE_PATH, HelloResource())
    return app
