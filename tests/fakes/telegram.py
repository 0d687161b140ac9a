#!/usr/bin/env python3
"""A fake Telegram Bot API (sendMessage) for outagebot's tests, behaving as
shared/API-CONTRACTS.md §6 describes. Python 3 standard library only.

    POST /bot<token>/sendMessage   JSON, form-encoded, or GET with a query

The token is part of the path: any other token gets 401 {"ok": false,
"error_code": 401, "description": "Unauthorized"}, an unknown method 404.
A missing chat_id or an empty text gets 400 in Telegram's words; a text
over 4096 characters 400 "message is too long"; a chat that is not known
(when the fake is given its chats) 400 "chat not found"; a migrated chat
400 with parameters.migrate_to_chat_id; a blocked chat 403. A message
sent gets {"ok": true, "result": <Message>} and is kept.

    tg = FakeTelegram(token="123:abc", chats=[-100123]).start()
    tg.api_url                     # what the bot is configured with
    tg.flood(1, retry_after=3)     # 429 with parameters.retry_after
    tg.fail(1, 502)                # an error in Telegram's shape
    tg.not_ok(1, 400, "Bad Request: message text is empty")
                                   # HTTP 200 carrying "ok": false
    tg.migrate(-100123, -100999)   # the group became a supergroup
    tg.block(-100123)              # "bot was blocked by the user"
    tg.hang(1); tg.delay(1, 2.0); tg.reset(1)
    tg.messages()                  # the messages sent, oldest first
    tg.requests()                  # every request (see webhook.py)
    tg.stop()

Alone: python3 tests/fakes/telegram.py --port P --token T.
"""

import importlib.util
import json
import os
import re
import sys
import time
from urllib.parse import parse_qs, urlsplit


def _load_webhook_fake():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "webhook.py")
    spec = importlib.util.spec_from_file_location("fake_webhook_base", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_base = _load_webhook_fake()
FakeHTTP = _base.FakeHTTP
Reply = _base.Reply

DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after 5",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
TEXT_MAX = 4096


def error(code, description=None, **parameters):
    """Telegram's error object."""
    out = {"ok": False, "error_code": code,
           "description": description or DESCRIPTIONS.get(code, "Error")}
    if parameters:
        out["parameters"] = parameters
    return out


class FakeTelegram(FakeHTTP):
    server_name = "nginx"          # what api.telegram.org says

    def __init__(self, token="123456:fake-token", chats=None, **kw):
        super().__init__(token=token, **kw)
        self.chats = None if chats is None else set(chats)
        self.migrated = {}
        self.blocked = set()
        self.sent = []
        self.next_id = 1

    @property
    def api_url(self):
        return self.base

    def error_body(self, status):
        return error(status)

    def flood(self, count, retry_after):
        """The next count requests get 429 with parameters.retry_after."""
        self.add_fault(count, "status", status=429, body=error(
            429, "Too Many Requests: retry after %d" % retry_after,
            retry_after=retry_after))

    def not_ok(self, count, code, description):
        """HTTP 200 whose body is an error ("ok": false)."""
        self.add_fault(count, "status", status=200,
                       body=error(code, description))

    def migrate(self, chat, to):
        with self.lock:
            self.migrated[chat] = to

    def block(self, chat):
        with self.lock:
            self.blocked.add(chat)

    def messages(self):
        with self.lock:
            return [dict(m) for m in self.sent]

    def params(self, path, headers, body):
        """The call's parameters: query, form or JSON."""
        out = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype == "application/json" and body:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            out.update(data)
        elif ctype == "application/x-www-form-urlencoded":
            out.update({k: v[0] for k, v in parse_qs(
                body.decode()).items()})
        return out

    @staticmethod
    def chat_key(chat_id):
        """An integer chat id, or the "@channel" string."""
        if isinstance(chat_id, int):
            return chat_id
        s = str(chat_id)
        return int(s) if re.fullmatch(r"-?\d+", s) else s

    def answer(self, method, path, headers, body):
        m = re.fullmatch(r"/bot([^/]*)/(\w+)", urlsplit(path).path)
        with self.lock:
            token = self.token
        if m is None or (m.group(1) == token and
                         m.group(2) != "sendMessage"):
            return Reply(404, error(404))
        if m.group(1) != token:
            return Reply(401, error(401))
        try:
            p = self.params(path, headers, body)
        except ValueError:
            return bad("can't parse JSON object")
        text = p.get("text")
        if p.get("chat_id") in (None, ""):
            return bad("chat_id is empty")
        if not isinstance(text, str) or text.strip() == "":
            return bad("message text is empty")
        if len(text) > TEXT_MAX:
            return bad("message is too long")
        chat = self.chat_key(p["chat_id"])
        with self.lock:
            if chat in self.migrated:
                return bad("group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=self.migrated[chat])
            if chat in self.blocked:
                return Reply(403, error(403))
            if self.chats is not None and chat not in self.chats:
                return bad("chat not found")
            bot_id = re.match(r"\d*", token).group()
            msg = {"message_id": self.next_id,
                   "from": {"id": int(bot_id or 0), "is_bot": True,
                            "first_name": "Outages",
                            "username": "outage_bot"},
                   "chat": {"id": chat, "type": "supergroup"},
                   "date": int(time.time()), "text": text}
            self.next_id += 1
            self.sent.append(dict(msg, params=p))
        return Reply(200, {"ok": True, "result": msg})


def bad(description, **parameters):
    """A 400 in Telegram's words."""
    return Reply(400, error(400, "Bad Request: " + description,
                            **parameters))


def main():
    ap = _base.command_line("a fake Telegram Bot API")
    ap.add_argument("--token", default="123456:fake-token")
    args = ap.parse_args()
    tg = FakeTelegram(token=args.token, host=args.host,
                      port=args.port).start()
    return _base.serve(tg, "fake Telegram on %s" % tg.api_url,
                       tg.messages,
                       lambda m: "%s: %s" % (m["chat"]["id"], m["text"]))


if __name__ == "__main__":
    sys.exit(main())
