"""Errors that reach the user as a clear message and an exit code, never a traceback."""

from __future__ import annotations


class LoaError(Exception):
    """Base class: `str(error)` is already in the user's language and says how to fix it."""

    exit_code = 1


class UserError(LoaError):
    """Bad input or usage (a malformed file, an unknown topic, an impossible date): exit 2."""

    exit_code = 2


class RuntimeFailure(LoaError):
    """Something failed while running (network, a service refused, a device): exit 1."""

    exit_code = 1


class StationNotFound(UserError):
    """No station folder could be found from --station, LOA_STATION or the current folder."""
