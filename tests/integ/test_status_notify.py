"""The webhook and Telegram status backends end to end (DESIGN.md §7, §8;
API-CONTRACTS.md §6): the real bot in a real ngIRCd channel, a dashboard
played by tests/fakes/webhook.py (it checks the signature) and Telegram
by tests/fakes/telegram.py. Open, update and resolve reach both, each
through its own outbox lane: a failing webhook is retried, Telegram's
retry_after is honoured, a hanging webhook holds back neither Telegram
nor the bot's replies, and a refused token is said once in the channel
(and never written to the log)."""

import hashlib
import hmac
import http.client
import json
import os
import re
import time

import harness
from harness import check, privmsg_from
from test_outage import wait_until

TG_TOKEN = "4242424242:AAF-fake_Token-for-the-tests"
SECRET = "It's a Secret to Everybody"
CHAT = "-1001234567890"
STATUS_URL = "https://status.example.org"
SIG_HEADER = "x-outagebot-signature-256"


def load(name):
    return harness.load_fake(name)


def signature(body):
    """The signature of a body as the fake recorded it (valid UTF-8)."""
    return "sha256=" + hmac.new(SECRET.encode(), body.encode(),
                                hashlib.sha256).hexdigest()


def fakes(t, secret=SECRET, tg_token=TG_TOKEN):
    wh = load("webhook").FakeWebhook(secret=secret).start()
    t.on_cleanup(wh.stop)
    tg = load("telegram").FakeTelegram(token=tg_token,
                                       chats=[int(CHAT)]).start()
    t.on_cleanup(tg.stop)
    return wh, tg


def secret_file(t, name, content):
    path = t.path(name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content + "\n")
    return path


def setup(t, wh, tg, token=TG_TOKEN, nicks=("alice",)):
    srv = t.ngircd()
    clients = [t.client(srv, n) for n in nicks]
    for c in clients:
        c.join("#test")
    cfg = t.bot_config(srv, statuspage={
        "url": STATUS_URL,
        "components": ["API", "Copr"],
        "backends": [
            {"type": "webhook", "url": wh.url,
             "secret_file": secret_file(t, "wh-secret", SECRET)},
            {"type": "telegram", "api_url": tg.api_url, "chat_id": CHAT,
             "token_file": secret_file(t, "tg-token", token)},
        ]}, irc={"flood": {"burst": 30, "interval": "1s"}})
    bot = t.bot(cfg, start=False)
    bot.start()
    bot.wait_joined(clients[0], "#test")
    return bot, clients


def bot_line(c, text, timeout=15.0):
    return c.wait_for(privmsg_from("outagebot", "#test", text),
                      timeout=timeout)


def test_open_update_resolve_reach_webhook_and_telegram(t):
    wh, tg = fakes(t)
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open --severity down --affected API "
              "API returns 500 \u2014 caf\u00e9 <b>")
    opened = bot_line(alice, r"^\[outage #1 down\] API returns")
    alice.say("#test", "!outage update 1 --status identified a bad deploy")
    updated = bot_line(alice, r"^\[outage #1 identified, down\]")
    alice.say("#test", "!outage resolve 1 rolled back")
    resolved = bot_line(alice, r"^\[outage #1 resolved\]")
    events = wait_until("three webhook events",
                        lambda: len(wh.events()) >= 3 and wh.events())
    check([e["event"] for e in events] ==
          ["outage.opened", "outage.updated", "outage.resolved"],
          "events in order: %r" % [e["event"] for e in events])
    for r in wh.requests():
        check(r["headers"].get(SIG_HEADER) == signature(r["body"]),
              "signed: %r" % r)
        check(r["headers"].get("content-type") == "application/json",
              "JSON: %r" % r["headers"])
    check(len({e["delivery"] for e in events}) == 3 and
          all(isinstance(e["delivery"], int) for e in events),
          "one delivery id each: %r" % [e["delivery"] for e in events])
    for e in events:
        check(e["instance"] == "test" and e["status_url"] == STATUS_URL,
              "instance and status page: %r" % e)
        check(e["outage"]["id"] == 1 and e["outage"]["title"] ==
              "API returns 500 \u2014 caf\u00e9 <b>" and
              e["outage"]["affected"] == ["API"] and
              e["outage"]["severity"] == "down", "the outage: %r" % e)
    # The whole outage each time: its timeline grows.
    check([len(e["outage"]["updates"]) for e in events] == [1, 2, 3],
          "timeline: %r" % [e["outage"]["updates"] for e in events])
    check(events[1]["outage"]["updates"][1]["text"] == "a bad deploy" and
          events[1]["outage"]["state"] == "identified", "the update")
    last = events[2]["outage"]
    check(last["state"] == "resolved" and last["resolved_at"] is not None
          and last["updates"][2]["text"] == "rolled back", "the resolve")

    msgs = wait_until("three Telegram messages",
                      lambda: len(tg.messages()) >= 3 and tg.messages())
    check([m["text"] for m in msgs] ==
          [opened.body, updated.body, resolved.body],
          "the channel lines: %r" % [m["text"] for m in msgs])
    for m in msgs:
        check(m["chat"]["id"] == int(CHAT) and
              m["params"].get("disable_web_page_preview") is True,
              "chat and no preview: %r" % m)
    time.sleep(0.5)
    check(len(wh.events()) == 3 and len(tg.messages()) == 3,
          "nothing twice")
    log = bot.log_text()
    check("http" in log and "<token>" in log,
          "the debug log names the requests")
    check(TG_TOKEN.split(":")[1] not in log, "the token is not logged")


def test_webhook_500_then_200_is_retried(t):
    wh, tg = fakes(t)
    wh.fail(1, 500)
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open Copr builds failing")
    bot_line(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    events = wait_until("the event after a retry", wh.events, timeout=30)
    check(len(events) == 1, "one event kept: %r" % events)
    posts = wh.requests("POST")
    check([r["status"] for r in posts] == [500, 200],
          "a 500, then a 200: %r" % [r["status"] for r in posts])
    check(posts[0]["json"]["delivery"] == posts[1]["json"]["delivery"],
          "the same delivery id again")
    check(posts[0]["body"] == posts[1]["body"], "the same body again")
    check(posts[1]["headers"].get(SIG_HEADER) == signature(posts[1]["body"]),
          "signed again")
    alice.no_match_within(privmsg_from("outagebot", "#test", r"webhook"),
                          1.0, what="a word about the webhook")


def test_telegram_retry_after_is_honoured(t):
    wh, tg = fakes(t)
    tg.flood(1, retry_after=3)
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open Copr builds failing")
    line = bot_line(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    msgs = wait_until("the message after the flood wait", tg.messages,
                      timeout=30)
    check([m["text"] for m in msgs] == [line.body], "sent once: %r" % msgs)
    posts = tg.requests("POST")
    check([r["status"] for r in posts] == [429, 200],
          "a 429, then a 200: %r" % [r["status"] for r in posts])
    waited = posts[1]["time"] - posts[0]["time"]
    # Never earlier than asked; not much later either (the outbox's
    # timer, a loaded machine).
    check(3.0 <= waited < 10.0, "waited %.2f s for retry_after 3" % waited)


def test_hanging_webhook_delays_neither_telegram_nor_replies(t):
    wh, tg = fakes(t)
    wh.hang(10)
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open Copr builds failing")
    line = bot_line(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    msgs = wait_until("the Telegram message", tg.messages, timeout=5)
    check(msgs[0]["text"] == line.body, "the channel line")
    wait_until("the webhook request", lambda: wh.requests("POST"), timeout=5)
    check(wh.events() == [], "the webhook is still hanging")
    for _ in range(3):
        start = time.monotonic()
        alice.say("#test", "!status")
        bot_line(alice, r"^alice: Copr: disrupted \(#1\)$|^alice: .*#1",
                 timeout=5)
        check(time.monotonic() - start < 3.0, "!status answered at once")
    alice.say("#test", "!outage update 1 still looking")
    line = bot_line(alice, r"^\[outage #1 .*still looking")
    msgs = wait_until("the second Telegram message",
                      lambda: len(tg.messages()) >= 2 and tg.messages(),
                      timeout=5)
    check(msgs[1]["text"] == line.body, "the update's line")
    # The webhook lane waits for its first event: nothing overtook it.
    check(len(wh.requests("POST")) == 1, "the update waits its turn")


def test_reload_while_webhook_hangs_sends_the_event_again(t):
    """A reload replaces the backends: the hanging request is cancelled
    and its job runs again under the new configuration, once."""
    wh, tg = fakes(t)
    wh.hang(1)
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open Copr builds failing")
    bot_line(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    first = wait_until("the hanging request", lambda: wh.requests("POST"),
                       timeout=5)[0]
    # Telegram is done first: a message in flight at a reload, even one
    # whose answer is still on its way, is sent again (the Bot API cannot
    # say whether it got one).
    wait_until("the Telegram message", tg.messages, timeout=5)
    bot.wait_log(r"sendMessage -> 200", timeout=5)
    alice.say("#test", "!reload")
    bot_line(alice, r"^alice: configuration reloaded$")
    events = wait_until("the event, sent again", wh.events, timeout=20)
    check(len(events) == 1 and
          events[0]["delivery"] == first["json"]["delivery"],
          "the same delivery, once: %r" % events)
    check(len(tg.messages()) == 1, "Telegram once: %r" % tg.messages())
    bot.assert_alive()


def test_telegram_bad_token_is_dead_and_said_once(t):
    wh, tg = fakes(t, tg_token="4242424242:the-right-token")
    bot, (alice,) = setup(t, wh, tg)
    alice.say("#test", "!outage open Copr builds failing")
    line = bot_line(alice, r"^telegram rejected outage #1's message: 401 "
                    r"Unauthorized; fix it, then !jobs retry (\d+)$")
    job = re.search(r"retry (\d+)$", line.body).group(1)
    wait_until("the webhook event", wh.events)
    check(tg.messages() == [], "nothing sent")
    check(len(tg.requests("POST")) == 1, "tried once: %r" % tg.requests())
    alice.no_match_within(privmsg_from("outagebot", "#test",
                                       r"telegram rejected"), 3.0,
                          what="a second word about it")
    check(len(tg.requests("POST")) == 1, "not retried by itself")
    # The token is fixed on Telegram's side (here: the bot's is taken).
    tg.configure(token=TG_TOKEN)
    alice.say("#test", "!jobs retry %s" % job)
    bot_line(alice, r"^alice: job %s will run again now$" % job)
    msgs = wait_until("the message after the retry", tg.messages)
    check(len(msgs) == 1, "one message")
    check(TG_TOKEN.split(":")[1] not in bot.log_text(),
          "the token is not logged")


def call(fake, method, path, body=None, headers=None):
    """One plain request to a fake: (status, JSON body or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data) if data else None
    except ValueError:
        return resp.status, None


def test_fakes_follow_the_contracts(t):
    """The fakes themselves, with a plain client: what the tests above
    trust them to do (API-CONTRACTS §6 for Telegram)."""
    wh, tg = fakes(t)
    js = {"Content-Type": "application/json"}
    send = "/bot%s/sendMessage" % TG_TOKEN
    msg = json.dumps({"chat_id": int(CHAT), "text": "hi"})
    st, body = call(tg, "POST", "/bot4242424242:wrong/sendMessage", msg, js)
    check(st == 401 and body == {"ok": False, "error_code": 401,
                                 "description": "Unauthorized"},
          "wrong token: %r" % body)
    st, body = call(tg, "POST", send, msg, js)
    check(st == 200 and body["ok"] is True and
          body["result"]["text"] == "hi" and
          body["result"]["chat"]["id"] == int(CHAT), "sent: %r" % body)
    st, body = call(tg, "POST", "/bot%s/getMe" % TG_TOKEN, msg, js)
    check(st == 404 and body["ok"] is False, "unknown method")
    for payload, words in (({"chat_id": 5, "text": "x"}, "chat not found"),
                           ({"chat_id": int(CHAT), "text": ""},
                            "message text is empty"),
                           ({"text": "x"}, "chat_id is empty"),
                           ({"chat_id": int(CHAT), "text": "x" * 4097},
                            "message is too long")):
        st, body = call(tg, "POST", send, json.dumps(payload), js)
        check(st == 400 and body["error_code"] == 400 and
              body["description"] == "Bad Request: " + words,
              "%s: %r" % (words, body))
    st, body = call(tg, "POST", send, "chat_id=%s&text=form" % CHAT,
                    {"Content-Type": "application/x-www-form-urlencoded"})
    check(st == 200 and body["result"]["text"] == "form", "form-encoded")
    st, body = call(tg, "GET", send + "?chat_id=%s&text=query" % CHAT)
    check(st == 200 and body["result"]["text"] == "query", "GET query")
    tg.flood(1, retry_after=7)
    st, body = call(tg, "POST", send, msg, js)
    check(st == 429 and body["parameters"] == {"retry_after": 7} and
          body["description"] == "Too Many Requests: retry after 7",
          "flood: %r" % body)
    tg.not_ok(1, 400, "Bad Request: chat not found")
    st, body = call(tg, "POST", send, msg, js)
    check(st == 200 and body["ok"] is False and body["error_code"] == 400,
          "ok:false in a 200: %r" % body)
    tg.migrate(int(CHAT), -100999)
    st, body = call(tg, "POST", send, msg, js)
    check(st == 400 and body["parameters"] == {"migrate_to_chat_id":
                                               -100999}, "migrated")
    tg.block(-100999)
    st, body = call(tg, "POST", send, json.dumps({"chat_id": -100999,
                                                   "text": "x"}), js)
    check(st == 403 and body["description"].startswith("Forbidden"),
          "blocked: %r" % body)
    check([m["text"] for m in tg.messages()] == ["hi", "form", "query"],
          "messages kept: %r" % tg.messages())

    event = json.dumps({"event": "outage.opened"})
    st, _ = call(wh, "POST", "/hook", event, js)
    check(st == 401, "unsigned: %d" % st)
    st, _ = call(wh, "POST", "/hook", event,
                 dict(js, **{SIG_HEADER: signature(event + " ")}))
    check(st == 401, "signature of other bytes: %d" % st)
    st, _ = call(wh, "POST", "/hook", event,
                 dict(js, **{SIG_HEADER: signature(event)}))
    check(st == 200, "signed: %d" % st)
    st, _ = call(wh, "POST", "/hook", "[1]",
                 dict(js, **{SIG_HEADER: signature("[1]")}))
    check(st == 400, "not an object: %d" % st)
    st, _ = call(wh, "GET", "/hook")
    check(st == 405, "GET: %d" % st)
    wh.fail(1, 503)
    st, _ = call(wh, "POST", "/hook", event,
                 dict(js, **{SIG_HEADER: signature(event)}))
    check(st == 503, "fault: %d" % st)
    check(wh.events() == [{"event": "outage.opened"}],
          "one event kept: %r" % wh.events())
