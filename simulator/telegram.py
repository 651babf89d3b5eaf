"""A double of Telegram's Bot API (no internet here): ``/bot<token>/<method>``.

Bots are the configured tokens (``--telegram-token``, default ``123456:TEST-TOKEN``
and ``123456:DEMO-TOKEN``); another token gets Telegram's 401. Methods:
``getMe``, ``sendMessage`` (recorded, answered with a message id), ``setWebhook``
(URL and ``secret_token`` kept), ``deleteWebhook`` and ``getWebhookInfo``; JSON,
form or query parameters, GET or POST, as Telegram accepts them. Answers have
Telegram's shape: ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": ..., "description": ...}``. The knobs of ``/__admin/config``
(latency, outage, error rate) apply, as to billing.

Admin: ``POST /__admin/telegram/updates`` makes a user write to a bot: the
simulator posts a ``message`` update to the bot's webhook with its secret in
``X-Telegram-Bot-Api-Secret-Token`` and hands back Odoo's answer;
``GET /__admin/telegram`` shows webhooks, updates and messages sent
(``?chat_id=`` filters them); ``POST /__admin/telegram/blocked`` makes chats
block the bot (``sendMessage`` to them gets 403, as Telegram answers).
"""

import json
import re
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qsl

from .errors import bad_request
from .web import ADMIN, BUSINESS, json_response

DEFAULT_TOKENS = ("123456:TEST-TOKEN", "123456:DEMO-TOKEN")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_TEXT = 4096
MAX_KEPT = 5000
WEBHOOK_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# no proxy: Odoo is on loopback or the compose network
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class TelegramFailure(Exception):
    """An answer of the Bot API with ``ok: false``."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description


def telegram_response(status, result=None, description=None):
    if status == 200:
        body = {"ok": True, "result": result}
        if description:
            body["description"] = description
        return json_response(200, body)
    return json_response(
        status, {"ok": False, "error_code": status, "description": description}
    )


class TelegramApi:
    def __init__(self, tokens=None):
        self.tokens = tuple(token for token in (tokens or DEFAULT_TOKENS) if token)
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.webhooks = {}  # token -> {"url", "secret_token", ...}
            self.messages = []  # what bots sent
            self.updates = []  # what users sent, with Odoo's answer
            self.blocked = set()  # (token, chat id) of users who blocked the bot
            self.next_update_id = 1
            self.next_message_id = 1

    def register(self, router):
        for method in ("GET", "POST"):
            for name, handler in (
                ("getMe", self.get_me),
                ("sendMessage", self.send_message),
                ("setWebhook", self.set_webhook),
                ("deleteWebhook", self.delete_webhook),
                ("getWebhookInfo", self.get_webhook_info),
            ):
                router.add(
                    method,
                    f"/bot{{token}}/{name}",
                    self._bot_call(handler),
                    kind=BUSINESS,
                )
        admin = {"kind": ADMIN}
        router.add("GET", "/__admin/telegram", self.admin_state, **admin)
        router.add("POST", "/__admin/telegram/updates", self.admin_update, **admin)
        router.add("POST", "/__admin/telegram/blocked", self.admin_blocked, **admin)

    # -- the Bot API -------------------------------------------------------------
    def _bot_call(self, handler):
        def call(request):
            token = request.params["token"]
            if token not in self.tokens:
                return telegram_response(401, description="Unauthorized")
            try:
                params = _parameters(request)
                return handler(token, params)
            except TelegramFailure as failure:
                return telegram_response(
                    failure.status, description=failure.description
                )

        return call

    def get_me(self, token, params):
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1
        return telegram_response(
            200,
            {
                "id": bot_id,
                "is_bot": True,
                "first_name": "Simulated Operator Bot",
                "username": f"sim_{bot_id}_bot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            },
        )

    def send_message(self, token, params):
        chat_id = params.get("chat_id")
        text = params.get("text")
        if chat_id in (None, ""):
            raise TelegramFailure(400, "Bad Request: chat_id is empty")
        if not isinstance(text, str) or not text.strip():
            raise TelegramFailure(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise TelegramFailure(400, "Bad Request: message is too long")
        chat_id = str(chat_id)
        with self.lock:
            if (token, chat_id) in self.blocked:
                raise TelegramFailure(403, "Forbidden: bot was blocked by the user")
            message = {
                "message_id": self.next_message_id,
                "date": int(time.time()),
                "chat": {"id": _chat_number(chat_id), "type": "private"},
                "text": text,
            }
            self.next_message_id += 1
            self._keep(self.messages, {"token": token, **message})
        return telegram_response(200, message)

    def set_webhook(self, token, params):
        url = params.get("url") or ""
        if not url:
            return self.delete_webhook(token, params)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise TelegramFailure(400, "Bad Request: bad webhook: invalid URL")
        secret = params.get("secret_token") or ""
        if secret and not SECRET_RE.match(secret):
            raise TelegramFailure(
                400, "Bad Request: secret token contains unallowed characters"
            )
        allowed = params.get("allowed_updates")
        with self.lock:
            self.webhooks[token] = {
                "url": url,
                "secret_token": secret,
                "allowed_updates": allowed if isinstance(allowed, list) else None,
                "set_at": int(time.time()),
            }
        return telegram_response(200, True, "Webhook was set")

    def delete_webhook(self, token, params):
        with self.lock:
            self.webhooks.pop(token, None)
        return telegram_response(200, True, "Webhook was deleted")

    def get_webhook_info(self, token, params):
        with self.lock:
            webhook = self.webhooks.get(token) or {}
        return telegram_response(
            200,
            {
                "url": webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
                "allowed_updates": webhook.get("allowed_updates") or [],
            },
        )

    # -- admin -------------------------------------------------------------------
    def admin_state(self, request):
        chat_id = request.query.get("chat_id")
        with self.lock:
            messages = [
                message
                for message in self.messages
                if not chat_id or str(message["chat"]["id"]) == chat_id
            ]
            updates = [
                update
                for update in self.updates
                if not chat_id
                or str(update["update"]["message"]["chat"]["id"]) == chat_id
            ]
            return json_response(
                200,
                {
                    "tokens": list(self.tokens),
                    "webhooks": self.webhooks,
                    "messages": messages,
                    "updates": updates,
                    "blocked": [
                        {"token": token, "chat_id": chat}
                        for token, chat in sorted(self.blocked)
                    ],
                },
            )

    def admin_update(self, request):
        """A user writes ``text`` to the bot ``token``: the update goes to the
        bot's webhook (or ``webhook_url``/``secret_token`` of the body)."""
        body = request.json_object()
        token = body.get("token") or self.tokens[0]
        text = body.get("text")
        chat_id = body.get("chat_id")
        if token not in self.tokens:
            raise bad_request("unknown bot token")
        if not isinstance(text, str) or not text:
            raise bad_request("text is required")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat_id must be an integer (the user's id)")
        with self.lock:
            webhook = dict(self.webhooks.get(token) or {})
            update_id = self.next_update_id
            self.next_update_id += 1
        url = body.get("webhook_url") or webhook.get("url")
        if not url:
            raise bad_request("the bot has no webhook: setWebhook first")
        secret = body.get("secret_token", webhook.get("secret_token") or "")
        update = _message_update(update_id, chat_id, text, body)
        status, answer = _post(url, update, secret, _timeout(body))
        record = {"update": update, "url": url, "status": status, "answer": answer}
        with self.lock:
            self._keep(self.updates, record)
        return json_response(200, record)

    def admin_blocked(self, request):
        body = request.json_object()
        token = body.get("token") or self.tokens[0]
        chat_id = body.get("chat_id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat_id must be an integer")
        with self.lock:
            if body.get("blocked", True):
                self.blocked.add((token, str(chat_id)))
            else:
                self.blocked.discard((token, str(chat_id)))
        return json_response(200, {"blocked": body.get("blocked", True)})

    def _keep(self, rows, row):
        rows.append(row)
        del rows[:-MAX_KEPT]


def _chat_number(chat_id):
    try:
        return int(chat_id)
    except ValueError:
        return chat_id  # "@channelusername"


def _parameters(request):
    """Telegram takes parameters from the query, a form or a JSON body."""
    params = dict(request.query)
    content_type = (request.headers.get("Content-Type") or "").lower()
    if request.body.strip():
        if "application/x-www-form-urlencoded" in content_type:
            params.update(parse_qsl(request.body.decode(errors="replace")))
        else:
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise TelegramFailure(
                    400, "Bad Request: can't parse JSON object"
                ) from None
            if not isinstance(data, dict):
                raise TelegramFailure(400, "Bad Request: can't parse JSON object")
            params.update(data)
    return params


def _message_update(update_id, chat_id, text, body):
    user = {
        "id": chat_id,
        "is_bot": False,
        "first_name": body.get("first_name") or "Иван",
        "language_code": body.get("language_code") or "ru",
    }
    if body.get("username"):
        user["username"] = body["username"]
    if body.get("last_name"):
        user["last_name"] = body["last_name"]
    chat = {key: value for key, value in user.items() if key != "is_bot"}
    chat.pop("language_code", None)
    chat["type"] = "private"
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        },
    }


def _timeout(body):
    value = body.get("timeout", WEBHOOK_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request("timeout must be a number of seconds")
    if not 0 < value <= 120:
        raise bad_request("timeout must be between 0 and 120 seconds")
    return float(value)


def _post(url, update, secret, timeout):
    """(status, answer) of the webhook; status 0 when unreachable."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SECRET_HEADER] = secret
    request = urllib.request.Request(
        url,
        data=json.dumps(update, ensure_ascii=False).encode(),
        method="POST",
        headers=headers,
    )
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(MAX_ANSWER_BYTES)
    except (urllib.error.URLError, OSError) as error:
        return 0, str(getattr(error, "reason", error))
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text
