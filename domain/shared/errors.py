"""The domain's exceptions: one base, precise subclasses, each with a stable code."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused by a rule of the domain."""

    code = "domain-error"
    title = "The request breaks a rule"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title

    def problem_members(self) -> dict[str, Any]:
        """What the refusal tells a client beyond its detail: the rule's code, and more
        where a subclass knows more (the registration holding an address, say)."""
        return {"code": self.code}


class NotFound(DomainError):
    """The thing does not exist, or belongs to another tenant."""

    code = "not-found"
    title = "Not found"


class RuleViolation(DomainError):
    """The command is well formed but a business rule forbids it now."""

    code = "rule-violation"
    title = "The request breaks a rule"


class InvalidValue(DomainError):
    """A value given to a command is not acceptable; names the field."""

    code = "invalid-value"
    title = "A value is not valid"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field

    def problem_members(self) -> dict[str, Any]:
        return {"errors": [{"field": self.field, "message": self.detail}]}


class VersionMismatch(DomainError):
    """The caller expected another version of the aggregate (If-Match)."""

    code = "version-mismatch"
    title = "The resource has changed since you read it"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, the resource is at version {actual}")
        self.expected = expected
        self.actual = actual


class ConcurrencyConflict(DomainError):
    """Concurrent writers kept colliding; the caller may retry."""

    code = "concurrency-conflict"
    title = "The resource was changed concurrently"


class FeatureDisabled(DomainError):
    """The tenant has not enabled the feature the request needs."""

    code = "feature-disabled"
    title = "This feature is not enabled for your organisation"

    def __init__(self, feature: str) -> None:
        super().__init__(f"the feature {feature} is disabled for this tenant")
        self.feature = feature

    def problem_members(self) -> dict[str, Any]:
        return {"feature": self.feature}
