"""Topics: where the store finds a domain event's class, and the names it was stored under.

A stored domain event names its class by topic (`module:Qualname`). When a class
moves to another module or is renamed, the histories written before keep the old
topic, so the move is declared here: the library then resolves old topics to the
class as it is now, and readers can ask for every name a class was stored under.
"""

from __future__ import annotations

import sys

from eventsourcing.utils import get_topic, register_topic

_moved: dict[str, str] = {}  # old module name -> the module's name now
# Old module name -> the qualified names that were stored under it (None: all of them).
_existed: dict[str, frozenset[str] | None] = {}
_renamed: dict[str, type] = {}  # old topic -> the class now


def moved_from(old_module: str, module_name: str, existed: tuple[str, ...] | None = None) -> None:
    """Declares that the module now named `module_name` was once `old_module`.

    `existed` names the classes it held then, where classes were added since: a
    class added after the move was never stored under the old name.
    """
    if _moved.get(old_module, module_name) != module_name:
        raise ValueError(f"{old_module} was declared moved to {_moved[old_module]} already")
    _moved[old_module] = module_name
    _existed[old_module] = frozenset(existed) if existed is not None else None
    register_topic(old_module, sys.modules[module_name])


def _stored_under(old_module: str, qualname: str) -> bool:
    existed = _existed.get(old_module)
    return existed is None or qualname in existed


def renamed_from(old_topic: str, cls: type) -> None:
    """Declares that the class was once stored under `old_topic` (a renamed class)."""
    if _renamed.get(old_topic, cls) is not cls:
        raise ValueError(f"{old_topic} was declared as another class's earlier topic already")
    _renamed[old_topic] = cls
    register_topic(old_topic, cls)


def moved_modules() -> dict[str, str]:
    """Every module move declared so far: old name -> name now."""
    return dict(_moved)


def topics_of(cls: type) -> list[str]:
    """The class's topic now, then every topic it was stored under before, sorted."""
    current = get_topic(cls)
    module, _, qualname = current.partition(":")
    earlier = {
        f"{old}:{qualname}"
        for old, now in _moved.items()
        if now == module and _stored_under(old, qualname)
    }
    earlier |= {old for old, renamed in _renamed.items() if renamed is cls}
    for old_topic, renamed in _renamed.items():
        # A class renamed in a module that later moved was stored under both old names.
        if renamed is cls:
            old_module, _, old_qualname = old_topic.partition(":")
            earlier |= {
                f"{o}:{old_qualname}"
                for o, n in _moved.items()
                if n == old_module and _stored_under(o, old_qualname)
            }
    earlier.discard(current)
    return [current, *sorted(earlier)]


def known_class(topic: str) -> type | None:
    """The class a topic names, current or earlier, if its module is loaded.

    Unlike resolving a topic, this never imports a module: the topic may come from
    a client, and naming a module must not load it.
    """
    if topic in _renamed:
        return _renamed[topic]
    module_name, _, qualname = topic.partition(":")
    module = sys.modules.get(_moved.get(module_name, module_name))
    if module is None or not qualname:
        return None
    found: object = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found if isinstance(found, type) else None
