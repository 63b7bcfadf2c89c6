"""What the reference shows as the operators' bodies: health and projection lag."""

from __future__ import annotations

from typing import Any

HEALTH: dict[str, Any] = {"status": "ok", "checks": {}}
READY: dict[str, Any] = {
    "status": "ok",
    "checks": {"views": "ok", "service": "ok", "event_store": "ok", "projections": "ok"},
}
PROJECTIONS: dict[str, Any] = {
    "projections": [
        {
            "name": "registration",
            "version": 2,
            "stored_version": 1,
            "state": "rebuilding",
            "rebuild": {"version": 2, "progress": 0.4127},
            "leaders": [
                {"version": 1, "host": "app-1", "pid": 4242},
                {"version": 2, "host": "app-2", "pid": 5150},
            ],
            "failures": [],
            "lag_events": 3,
            "lag_seconds": 0.214,
            "upstreams": [
                {
                    "upstream": "registration",
                    "position": 18204,
                    "head": 18207,
                    "lag_events": 3,
                    "lag_seconds": 0.214,
                    "rebuilt": 7513,
                }
            ],
        },
        {
            "name": "platform",
            "version": 1,
            "stored_version": 1,
            "state": "failing",
            "rebuild": None,
            "leaders": [{"version": 1, "host": "app-1", "pid": 4242}],
            "failures": [
                {
                    "upstream": "platform",
                    "position": 912,
                    "error": "OverflowError: date value out of range",
                    "version": 1,
                    "attempts": 4,
                    "first_failed_at": "2030-03-17T17:46:40.500000+00:00",
                    "retry_at": "2030-03-17T17:47:10.500000+00:00",
                }
            ],
            "lag_events": 17,
            "lag_seconds": 31.8,
            "upstreams": [
                {
                    "upstream": "platform",
                    "position": 911,
                    "head": 928,
                    "lag_events": 17,
                    "lag_seconds": 31.8,
                    "rebuilt": None,
                }
            ],
        },
    ]
}
