"""The OpenTOS error tree.

Every error OpenTOS raises on purpose derives from :class:`OpenTosError`, so a
caller can catch the whole family in one place (the API maps it to HTTP status
codes, the CLI to exit codes)::

    OpenTosError
     ├── DomainError               a value or an action breaks a rule of the domain
     │    ├── InvalidValue         malformed id, code or quantity (also a ValueError)
     │    │    ├── InvalidContainerNumber   ISO 6346 owner/category/serial/check digit
     │    │    ├── InvalidIsoType           ISO 6346 size-type code
     │    │    ├── InvalidSlot              ISO 9711 bay-row-tier code, yard slot, place
     │    │    └── InvalidLocode            UN/LOCODE
     │    ├── IllegalMove          a ledger event would break an inventory invariant
     │    └── IllegalTransition    a work instruction or visit cannot go to that state
     ├── NotFound                  unknown container, visit, block, preset (also a LookupError)
     ├── Conflict                  a concurrent transaction changed what this one read; retry
     ├── DataImportError           a file to import is malformed; carries every problem found
     │    └── EdiError             an EDIFACT interchange breaks the syntax, the message
     │         │                   structure or the SMDG guide (segment number, tag, element)
     │         └── ReadingLimitReached   too many problems or segments; reading stopped
     │                                   (in opentos.edi.problems)
     ├── AuthError                 a request to the server is not allowed
     │    ├── NotAuthenticated     no credentials, or bad or expired ones (HTTP 401)
     │    └── PermissionDenied     valid credentials whose role may not do this (HTTP 403)
     ├── ConfigError               a preset or setting is invalid
     └── StorageError              the database is unreachable or its schema is not current

Messages name the offending value and where it was, for example
``"slot 0120382 of visit V1 already holds MSCU1234565"``.
"""

from __future__ import annotations

from collections.abc import Sequence


class OpenTosError(Exception):
    """Base of every error OpenTOS raises on purpose."""


class DomainError(OpenTosError):
    """A value or an action breaks a rule of the domain."""


class InvalidValue(DomainError, ValueError):
    """A malformed id, code or quantity."""


class InvalidContainerNumber(InvalidValue):
    """A container number that is not a valid ISO 6346 number."""


class InvalidIsoType(InvalidValue):
    """An ISO 6346 size-type code that cannot be decoded."""


class InvalidSlot(InvalidValue):
    """A bay-row-tier code, yard slot or place that is malformed or does not exist."""


class InvalidLocode(InvalidValue):
    """A UN/LOCODE that is malformed."""


class IllegalMove(DomainError):
    """A ledger event that would break an inventory invariant; nothing was changed.

    ``index`` is the position of the failing event in the batch given, when known.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class IllegalTransition(DomainError):
    """A work instruction or visit asked to go to a state it cannot reach from its state."""


class BookingRefused(DomainError):
    """A booking the terminal's rules refuse: the window is shut, the slot or a quota full."""


class NotFound(OpenTosError, LookupError):
    """An unknown container, visit, block, preset or other named thing."""


class Conflict(OpenTosError):
    """A concurrent transaction changed what this one read; nothing was changed, retry."""


class AuthError(OpenTosError):
    """A request to the server is not allowed."""


class NotAuthenticated(AuthError):
    """No credentials were given, or they are malformed, unknown or expired."""


class PermissionDenied(AuthError):
    """The credentials are valid, but their role may not do this."""


class ConfigError(OpenTosError):
    """A preset file or a setting is invalid."""


class StorageError(OpenTosError):
    """The database is unreachable, or its schema is missing or not current."""


class DataImportError(OpenTosError):
    """A file to import is malformed; ``problems`` lists every problem found.

    Each problem names where it was (line, column or segment) and the value.
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{source}: {len(self.problems)} problem(s): {shown}{more}")


class EdiError(DataImportError):
    """An EDIFACT interchange that cannot be read or applied.

    ``problems`` lists every problem found (a strict reading stops at the first);
    each names the segment number, the tag, the element and the value.
    """
