"""The analyst page's sessions and CSRF tokens.

The cookie never holds a token. After sign-in it holds a value signed with the service's session key
(itsdangerous: HMAC over the value and its time; refused when altered or older than `MAX_AGE`):
`{"t": <the sha256 the tokens file lists for the token, or "local">, "n": <random nonce>}`. A token
removed from the tokens file ends its sessions at the next worker start.

Every form carries a CSRF token bound to the session's nonce (HMAC of the nonce under the key): a
page elsewhere, on another site or on another port of the same host (SameSite does not separate
ports), can neither read it nor make it. The sign-in form, before any session, gets the same from a
short-lived sign-in cookie (login CSRF: nobody can sign a browser in under their own token).

The key comes from `WIVCHECK_SESSION_KEY`; `wivcheck serve` makes a fresh one at every start and
hands it to its workers, so they share sessions and a restart ends them. Cookies are `HttpOnly`,
`SameSite=Strict`, path `/`, and `Secure` whenever the request came over HTTPS (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "wivcheck_session"
LOGIN_COOKIE = "wivcheck_login"
MAX_AGE = 8 * 3600          # seconds a session lasts
LOGIN_MAX_AGE = 3600        # seconds a sign-in form stays usable


@dataclass(frozen=True)
class Session:
    """A signed-in browser: `subject` (a token's sha256, or "local") and the nonce its CSRF tokens
    are bound to."""

    subject: str
    nonce: str


class Sessions:
    """Signs and reads the page's cookies and makes and checks CSRF tokens, with one key."""

    def __init__(self, key: str | None):
        self._key = (key or secrets.token_urlsafe(32)).encode("utf-8")
        self._session = URLSafeTimedSerializer(self._key, salt="wivcheck-session")
        self._login = URLSafeTimedSerializer(self._key, salt="wivcheck-login")

    def new_session(self, subject: str) -> tuple[str, Session]:
        """(cookie value, session) for a browser just signed in as `subject`."""
        session = Session(subject, secrets.token_urlsafe(16))
        return self._session.dumps({"t": subject, "n": session.nonce}), session

    def session(self, cookie: str | None) -> Session | None:
        """The session a cookie value stands for; None when absent, altered or expired."""
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=MAX_AGE)
        except BadSignature:
            return None
        if not (isinstance(data, dict) and isinstance(data.get("t"), str) and isinstance(data.get("n"), str)):
            return None
        return Session(data["t"], data["n"])

    def new_login(self) -> tuple[str, str]:
        """(cookie value, nonce) for a sign-in form."""
        nonce = secrets.token_urlsafe(16)
        return self._login.dumps(nonce), nonce

    def login_nonce(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            nonce = self._login.loads(cookie, max_age=LOGIN_MAX_AGE)
        except BadSignature:
            return None
        return nonce if isinstance(nonce, str) else None

    def csrf(self, purpose: str, nonce: str) -> str:
        """The CSRF token of a form: HMAC-SHA-256 over the purpose ("page" or "login") and the nonce."""
        return hmac.new(self._key, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, purpose: str, nonce: str | None, given: str | None) -> bool:
        """Whether `given` is the CSRF token of `nonce` (constant-time)."""
        if not nonce or not given:
            return False
        return hmac.compare_digest(self.csrf(purpose, nonce), given)
