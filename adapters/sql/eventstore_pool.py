"""One pool of connections for all of a process's event stores, instead of one each.

The eventsourcing library gives each application's datastore a pool of its own:
with eight applications, a busy process would keep eight times as many
connections as it has threads. A thread runs one command at a time and a command
uses one connection at a time, so one pool, as large as the threads, serves every
application; like the views' pool it opens connections on demand and closes one
each `ACCREDIT_POOL_IDLE_SECONDS` while some stay unused, down to none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.application import Application
from eventsourcing.postgres import BasePostgresFactory, ConnectionPool, PostgresDatastore

from adapters.settings import Settings
from adapters.sql.connection_names import connection_name


def share_one_pool(applications: Iterable[Application[Any]], settings: Settings) -> None:
    """Puts the PostgreSQL event stores of these applications on one pool per database.

    Call it before the applications serve: each datastore's own pool is closed. The
    first application closed closes the shared pool, so close them together.
    """
    groups: dict[tuple[str, ...], list[PostgresDatastore]] = {}
    for application in applications:
        factory = application.factory
        if isinstance(factory, BasePostgresFactory):
            datastore = factory.datastore
            groups.setdefault(_target(datastore), []).append(datastore)
    for datastores in groups.values():
        shared = _pool_like(datastores[0], settings)
        for datastore in datastores:
            own, datastore.pool = datastore.pool, shared
            own.close()


def _target(datastore: PostgresDatastore) -> tuple[str, ...]:
    # Datastores share a pool only where their connections would be configured alike.
    kwargs = datastore.pool.kwargs
    assert isinstance(kwargs, dict)
    settings = sorted(f"{name}={value!r}" for name, value in kwargs.items())
    return (*settings, f"idle_in_transaction={datastore.idle_in_transaction_session_timeout}")


def _pool_like(datastore: PostgresDatastore, settings: Settings) -> ConnectionPool[Any]:
    """A pool that connects and configures its connections as the datastore's own does."""
    own = datastore.pool
    kwargs = own.kwargs
    assert isinstance(kwargs, dict)
    return ConnectionPool(
        connection_class=own.connection_class,
        kwargs={**kwargs, "application_name": connection_name("eventstores")},
        min_size=0,
        max_size=settings.eventstore_connections,
        open=False,  # the datastore opens it at its first use, as it does its own
        configure=datastore.after_connect_func(),
        check=ConnectionPool.check_connection if datastore.pre_ping else None,
        timeout=own.timeout,
        max_waiting=own.max_waiting,
        max_lifetime=own.max_lifetime,
        max_idle=settings.pool_idle_seconds,
        get_password_func=own.get_password_func,
        name="accredit-eventstores",
    )
