"""Errors the service layer raises; each carries a message fit to show a user (French)."""

from __future__ import annotations


class VisioError(Exception):
    """Base class: `str(error)` is the user-facing message."""


class NotFound(VisioError):
    """Unknown id, or an id the actor may not see: the same answer for both."""


class Forbidden(VisioError):
    """The actor may see the object but not do this to it."""


class InvalidInput(VisioError):
    """Input that fails validation; nothing was written."""


class IllegalTransition(VisioError):
    """A status change the meeting's life cycle does not allow; nothing was written."""


class AuthenticationFailed(VisioError):
    """Wrong credentials or locked account; one message for every cause (no user enumeration)."""


class BackendUnavailable(VisioError):
    """An outside system (media server, storage, transcription API) refused or did not answer."""


class NeedsConfirmation(VisioError):
    """The action would lose something the user made (corrections): it waits for his explicit agreement."""
