"""Adapter of the Telegram Bot API (``<base URL>/bot<token>/<method>``).

Plain ``requests`` with a time-out on every call; answers come back as plain
dicts (the ``result`` of Telegram's ``{"ok": true, "result": ...}``). Errors are
split in two: :class:`TelegramTransientError` (network, time-out, 5xx, 429:
worth retrying later) and :class:`TelegramRejectedError` (Telegram refused the
call: bad token, chat not found, bot blocked by the user...). Models never touch
``requests`` objects.
"""

import requests

DEFAULT_TIMEOUT = (3.05, 10.0)  # seconds: connect, read


class TelegramError(Exception):
    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class TelegramTransientError(TelegramError):
    """Worth retrying: Telegram (or the network) did not answer properly."""


class TelegramRejectedError(TelegramError):
    """Telegram refused the call: retrying the same call will not help."""


class TelegramBotApi:
    """One bot's endpoint: ``TelegramBotApi(base_url, token).send_message(...)``."""

    def __init__(self, base_url, token, timeout=DEFAULT_TIMEOUT, session=None):
        self.base_url = (base_url or "https://api.telegram.org").rstrip("/")
        self.token = token or ""
        self.timeout = timeout
        self.session = session or requests.Session()

    def call(self, method, payload=None):
        """POST ``payload`` as JSON to ``method``; return the ``result``."""
        url = f"{self.base_url}/bot{self.token}/{method}"
        try:
            answer = self.session.post(url, json=payload or {}, timeout=self.timeout)
        except requests.Timeout as error:
            raise TelegramTransientError(f"{method}: time-out") from error
        except requests.RequestException as error:
            # the URL holds the token: never put the exception text in messages
            raise TelegramTransientError(
                f"{method}: connection failed ({type(error).__name__})"
            ) from error
        return self._result(method, answer)

    def _result(self, method, answer):
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if answer.status_code >= 500 or answer.status_code == 429:
                raise TelegramTransientError(
                    f"{method}: HTTP {answer.status_code}", answer.status_code
                )
            raise TelegramRejectedError(
                f"{method}: HTTP {answer.status_code}, not a Bot API answer",
                answer.status_code,
            )
        if data.get("ok"):
            return data.get("result")
        status = data.get("error_code") or answer.status_code
        description = str(data.get("description") or "")[:200]
        message = f"{method}: {status} {description}".strip()
        if status == 429 or status >= 500:
            retry_after = (data.get("parameters") or {}).get("retry_after")
            raise TelegramTransientError(message, status, retry_after)
        raise TelegramRejectedError(message, status)

    # ------------------------------------------------------------------
    # methods of the Bot API the CRM uses
    # ------------------------------------------------------------------
    def get_me(self):
        return self.call("getMe")

    def send_message(self, chat_id, text):
        return self.call("sendMessage", {"chat_id": chat_id, "text": text})

    def set_webhook(self, url, secret_token):
        return self.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": ["message"],
            },
        )

    def delete_webhook(self):
        return self.call("deleteWebhook")
