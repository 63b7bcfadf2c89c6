"""What the line being logged is about: the request (or other unit of work) in progress.

The HTTP layer binds a provider of fields when a request starts and unbinds it when
the request ends; every line logged in between, by any module, carries those fields.
The fields are read only when a line is logged, so a request that logs nothing pays
for no more than setting a context variable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token

FieldsProvider = Callable[[], Mapping[str, object]]

_current: ContextVar[FieldsProvider | None] = ContextVar("accredit_log_context", default=None)


def bind(provider: FieldsProvider) -> Token[FieldsProvider | None]:
    """Adds the provider's fields to every line logged in this context until unbind()."""
    return _current.set(provider)


def unbind(token: Token[FieldsProvider | None]) -> None:
    """Restores what was bound before the matching bind()."""
    _current.reset(token)


def current_fields() -> Mapping[str, object]:
    """The fields of the unit of work in progress; empty outside of one."""
    provider = _current.get()
    return {} if provider is None else provider()
