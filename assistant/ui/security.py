"""Safe exposure of the chat server: credentials, loopback checks and a rate limit on failed logins (pure)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from collections import deque

from assistant.errors import AssistantError

logger = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = 60.0


class ExposureError(AssistantError):
    """The server would be reachable by others in a way the user did not ask for."""


def parse_credentials(value: str | None) -> tuple[str, str] | None:
    """``user:password`` -> ``(user, password)``; None when no login is required.

    Raises:
        ExposureError: the user or the password is empty (a server nobody could enter).
    """
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ExposureError("--auth needs a user and a non-empty password: user:password (or @FILE, env:VAR)")
    return user.strip(), password


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, authenticated: bool, *, share: bool, allow_unauthenticated: bool) -> list[str]:
    """Warnings to print before serving; refuses a network-wide server without login unless asked for.

    Raises:
        ExposureError: a non-loopback host without ``--auth`` and without ``--allow-unauthenticated``.
    """
    warnings = []
    if not is_loopback(host) and not authenticated:
        if not allow_unauthenticated:
            raise ExposureError(
                f"serving on {host} lets anyone on the network read and add documents; add --auth @FILE "
                "(a file holding user:password), or --allow-unauthenticated if that is what you want"
            )
        warnings.append(f"serving on {host} without a login: anyone who can reach this machine can use the chat")
    if share and not authenticated:
        warnings.append("--share creates a public link and no login is required: anyone with the link can use it")
    return warnings


class LoginGuard:
    """Checks credentials in constant time, and refuses every login for a while after repeated failures."""

    def __init__(self, credentials: tuple[str, str], *, max_failures: int = MAX_FAILED_LOGINS,
                 window: float = FAILED_LOGIN_WINDOW, clock=time.monotonic) -> None:
        self._user, self._password = credentials
        self._max = max_failures
        self._window = window
        self._clock = clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        with self._lock:
            now = self._clock()
            while self._failures and now - self._failures[0] > self._window:
                self._failures.popleft()
            if len(self._failures) >= self._max:
                logger.warning("login refused: %d failed logins in the last %.0f s", len(self._failures), self._window)
                return False
            good = hmac.compare_digest(user.encode(), self._user.encode()) & hmac.compare_digest(
                password.encode(), self._password.encode())
            if not good:
                self._failures.append(now)
            return bool(good)
