#!/usr/bin/env python3
"""A fake Cachet 2.x site (API v1: components, incidents, incident
updates) for outagebot's tests. Python 3 standard library only.

It behaves as shared/API-CONTRACTS.md §3 describes: writes (POST, PUT,
DELETE) need the X-Cachet-Token header (or HTTP Basic with the user's
email and password) and get 401 without it; GETs are public and a wrong
token there is ignored (a guest sees only visible incidents); single
items come as {"data": {...}}, lists as {"meta": {"pagination": ...},
"data": [...]} (per_page default 20, page, sort, order); create answers
200, delete 204; validation failures are 400 and 401 / 404 / 405 / 500
carry Cachet's {"errors": [{id, status, title, detail}]} body. Request
bodies may be JSON or a form. As in Cachet, every list parameter other
than sort, order and per_page is a column filter once one of them names
a searchable column: ?name=X&page=2 asks for a column "page", which
Cachet answers with a database error (500).

Run it alone:

    python3 tests/fakes/cachet.py --port P --token T [--component NAME]...

or in a test (load the file by path, as
tests/integ/test_status_cachet.py does):

    ca = FakeCachet(token="T").start()
    ca.url                          # the site's base URL (no /api/v1)
    ca.add_component("API")         # -> its id
    ca.fail(2, 500, method="POST", path=r"/incidents$")
    ca.hang(1, path="/incidents")   # accept, never answer
    ca.hang(1, path="/incidents", after=True)   # do it, never answer
    ca.reset(1)                     # close the connection with an RST
    ca.requests()                   # every request: method, path, headers,
                                    # body, json, status, fault
    ca.incidents(), ca.updates(incident_id), ca.components()
    ca.stop()

The same knobs are reachable over HTTP on the same port under /_fake/:
GET /_fake/state, GET /_fake/requests, POST /_fake/fault {"count",
"action","status","headers","body","method","path","delay"}, POST
/_fake/config {"token"}, POST /_fake/component {"name","status"}, POST
/_fake/clear (faults and the request record). FakeCachet is a FakeHTTP
(tests/fakes/webhook.py): the listening, the fault knobs and actions
(status, hang, hang_after, delay, reset, reset_after), the request record
and the plain JSON answers are those of tests/fakes/github.py, reused;
what is Cachet's own is its API (answer), its error body, its Server
(nginx) and Cache-Control headers and /_fake/component.
"""

import importlib.util
import json
import os
import re
import sys
import time
import uuid
from base64 import b64decode
from urllib.parse import parse_qs, urlencode, urlsplit


def _load_webhook_fake():
    """tests/fakes/webhook.py, whose FakeHTTP this fake is (loaded by
    path, as it loads tests/fakes/github.py: "github" is also the name
    of a PyPI package)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "webhook.py")
    spec = importlib.util.spec_from_file_location("fake_webhook_base", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_base = _load_webhook_fake()
Reply = _base.Reply

API = "/api/v1"
PER_PAGE = 20

# The texts Cachet's exception displayer sends (graham-campbell/exceptions).
ERRORS = {
    400: ("Bad Request", "The request cannot be fulfilled due to bad "
          "syntax."),
    401: ("Unauthorized", "Authentication is required and has failed or "
          "has not yet been provided."),
    403: ("Forbidden", "The request was a legal request, but the server "
          "is refusing to respond to it."),
    404: ("Not Found", "The requested resource could not be found but may "
          "be available again in the future."),
    405: ("Method Not Allowed", "A request was made of a resource using a "
          "request method not supported by that resource."),
    429: ("Too Many Requests", "The user has sent too many requests in a "
          "given amount of time."),
    500: ("Internal Server Error", "An error has occurred and this "
          "resource cannot be displayed."),
    502: ("Bad Gateway", "The server was acting as a gateway or proxy and "
          "received an invalid response from the upstream server."),
    503: ("Service Unavailable", "The server is currently unavailable. It "
          "may be overloaded or down for maintenance."),
}

INCIDENT_STATUS = {0: "Scheduled", 1: "Investigating", 2: "Identified",
                   3: "Watching", 4: "Fixed"}
COMPONENT_STATUS = {0: "Unknown", 1: "Operational", 2: "Performance Issues",
                    3: "Partial Outage", 4: "Major Outage"}
# Columns the models let a listing filter on (their $searchable).
SEARCHABLE = {
    "incidents": ("id", "component_id", "name", "status", "visible",
                  "stickied"),
    "components": ("id", "name", "status", "order", "group_id", "enabled"),
}
SORTABLE = {
    "incidents": ("id", "name", "status", "visible", "stickied",
                  "created_at"),
    "components": ("id", "name", "status", "order", "group_id", "enabled"),
}


def stamp():
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def error_body(status, details=None):
    title, detail = ERRORS.get(status, ("Error", "An error has occurred."))
    err = {"id": str(uuid.uuid4()), "status": status, "title": title,
           "detail": detail}
    if details is not None:
        err["meta"] = {"details": list(details)}
    return {"errors": [err]}


def invalid(*details):
    """Cachet's validation failure: 400 with the rule messages."""
    return Reply(400, error_body(400, details))


def as_int(v):
    """Laravel's "integer" rule: an int or a string of digits."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?\d+", v):
        return int(v)
    return None


def as_bool(v):
    """Laravel's "boolean" rule: true, false, 0, 1, "0", "1"."""
    if v in (True, False, 0, 1, "0", "1", "true", "false"):
        return v in (True, 1, "1", "true")
    return None


class FakeCachet(_base.FakeHTTP):
    """The fake site; every public method is safe from any thread. The
    plumbing (listening, fault knobs, the request record) is FakeHTTP's;
    the API is Cachet's."""

    server_name = "nginx"
    reply_headers = {"Cache-Control": "no-cache, private"}

    def __init__(self, token="cachet-token", host="127.0.0.1", port=0,
                 email="admin@example.com", password="secret",
                 site="https://status.example.com"):
        super().__init__(token=token, host=host, port=port)
        self.email = email
        self.password = password
        self.site = site
        self.components_ = []      # dicts, id order
        self.last = {"component": 0, "incident": 0, "update": 0}
        self.incidents_ = []       # dicts, id order (meta kept inside)
        self.updates_ = []         # incident update dicts
        self.metas = 0

    @property
    def url(self):
        """The site's base URL (what the bot's `url` is set to)."""
        return self.base

    # ------------------------------------------------------------ knobs

    def error_body(self, status):
        """Cachet's error body, for a status fault that gives none."""
        return error_body(status)

    def answer(self, method, path, headers, body):
        """The Reply of a request to Cachet's API."""
        with self.lock:
            return CachetRequest(self, method, path, headers).cachet(
                urlsplit(path).path, body)

    def control(self, route, raw):
        """The GitHub fake's controls, and /_fake/component."""
        if route != "/_fake/component":
            return super().control(route, raw)
        try:
            return Reply(201, {"id": self.add_component(**json.loads(
                raw or "{}"))})
        except (TypeError, ValueError, KeyError) as e:
            return Reply(400, {"message": str(e)})

    def configure(self, token=None):
        with self.lock:
            if token is not None:
                self.token = token

    def add_component(self, name, status=1, enabled=True):
        """A component as if made in the dashboard; returns its id."""
        with self.lock:
            cid = self._next("component")
            now = stamp()
            self.components_.append({
                "id": cid, "name": name, "description": "", "link": "",
                "status": status, "order": 0, "group_id": 0,
                "enabled": enabled, "meta": None, "created_at": now,
                "updated_at": now, "deleted_at": None,
                "status_name": COMPONENT_STATUS[status], "tags": []})
            return cid

    # ------------------------------------------------------------ reading

    def incidents(self):
        with self.lock:
            return [dict(i) for i in self.incidents_]

    def updates(self, incident_id=None):
        with self.lock:
            return [dict(u) for u in self.updates_
                    if incident_id is None or
                    u["incident_id"] == incident_id]

    def components(self):
        with self.lock:
            return [dict(c) for c in self.components_]

    def delete_component(self, name):
        """Remove a component as the dashboard would."""
        with self.lock:
            self.components_[:] = [c for c in self.components_
                                   if c["name"] != name]

    def component_status(self, name):
        """The status of the component named name, or None."""
        with self.lock:
            for c in self.components_:
                if c["name"] == name:
                    return c["status"]
        return None

    def _next(self, kind):
        """A new id of a kind (never one used before), lock held."""
        self.last[kind] += 1
        return self.last[kind]

    def state(self):
        with self.lock:
            return {"components": [dict(c) for c in self.components_],
                    "incidents": [dict(i) for i in self.incidents_],
                    "updates": [dict(u) for u in self.updates_]}


class CachetRequest:
    """One API request (method, path with its query, headers) as Cachet
    routes and answers it, on the site ca (whose lock is held)."""

    def __init__(self, ca, method, path, headers):
        self.gh = ca               # named as in the handlers
        self.command = method
        self.path = path
        self.headers = headers

    def parse(self, raw):
        """The input as Binput sees it: JSON or a form, else None."""
        if not raw:
            return {}
        ctype = (self.headers.get("Content-Type") or "").lower()
        try:
            if "json" in ctype:
                data = json.loads(raw)
                return data if isinstance(data, dict) else None
            return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        except (ValueError, UnicodeDecodeError):
            return None

    def authed(self):
        """1 if the request carries the site's token or the user's
        email and password (HTTP Basic)."""
        ca = self.gh
        if self.headers.get("X-Cachet-Token") == ca.token:
            return True
        auth = self.headers.get("Authorization") or ""
        m = re.match(r"(?i)basic\s+(\S+)$", auth)
        if m is None:
            return False
        try:
            user, _, pw = b64decode(m.group(1)).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == ca.email and pw == ca.password

    # ------------------------------------------------------------ routes

    def cachet(self, route, raw):
        """The Reply of an API request (with the fake's lock held)."""
        if not route.startswith(API + "/"):
            return Reply(404, error_body(404))
        route = route[len(API):]
        authed = self.authed()
        if self.command != "GET" and not authed:
            return Reply(401, error_body(401))
        data = self.parse(raw)
        if data is None:
            return Reply(400, error_body(400))
        q = {k: v[0] for k, v in
             parse_qs(urlsplit(self.path).query).items()}
        table = [
            (r"/ping", {"GET": self.ping}),
            (r"/components", {"GET": self.list_components}),
            (r"/components/(\d+)", {"GET": self.get_component,
                                    "PUT": self.put_component,
                                    "DELETE": self.delete_component}),
            (r"/incidents", {"GET": self.list_incidents,
                             "POST": self.post_incident}),
            (r"/incidents/(\d+)", {"GET": self.get_incident,
                                   "PUT": self.put_incident,
                                   "DELETE": self.delete_incident}),
            (r"/incidents/(\d+)/updates", {"GET": self.list_updates,
                                           "POST": self.post_update}),
        ]
        for pattern, methods in table:
            m = re.fullmatch(pattern + "/?", route)
            if m is None:
                continue
            fn = methods.get(self.command)
            if fn is None:
                return Reply(405, error_body(405))
            arg = int(m.group(1)) if m.groups() else None
            return fn(arg, data, q, authed)
        return Reply(404, error_body(404))

    def ping(self, _id, data, q, authed):
        return Reply(200, {"data": "Pong!"})

    def paginate(self, kind, items, q):
        """A listing as Cachet pages it (with its filters and sorting)."""
        search = {k: v for k, v in q.items()
                  if k not in ("sort", "order", "per_page")}
        if set(search) & set(SEARCHABLE[kind]):
            for k in search:
                if k not in SEARCHABLE[kind]:
                    # Cachet puts the key in a WHERE: no such column
                    return Reply(500, error_body(500))
            items = [i for i in items
                     if all(str(i.get(k)).lower() == v.lower()
                            if isinstance(i.get(k), bool)
                            else str(i.get(k)) == v
                            for k, v in search.items())]
        sort = q.get("sort")
        if sort in SORTABLE[kind]:
            items = sorted(items, key=lambda i: (i.get(sort) is None,
                                                 i.get(sort)),
                           reverse=q.get("order") == "desc")
        per_page = as_int(q.get("per_page", PER_PAGE))
        page = as_int(q.get("page", 1))
        if per_page is None or per_page < 1:
            per_page = PER_PAGE
        if page is None or page < 1:
            page = 1
        total = len(items)
        pages = max((total + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        base = "%s%s" % (self.gh.url, urlsplit(self.path).path)

        def link(p):
            if p < 1 or p > pages:
                return None
            qq = dict(q)
            qq["page"] = str(p)
            return base + "?" + urlencode(qq)
        return Reply(200, {"meta": {"pagination": {
            "total": total, "count": len(chunk), "per_page": per_page,
            "current_page": page, "total_pages": pages,
            "links": {"next_page": link(page + 1),
                      "previous_page": link(page - 1)}}},
            "data": [dict(i) for i in chunk]})

    # components

    def component(self, cid):
        for c in self.gh.components_:
            if c["id"] == cid:
                return c
        return None

    def list_components(self, _id, data, q, authed):
        return self.paginate("components", self.gh.components_, q)

    def get_component(self, cid, data, q, authed):
        c = self.component(cid)
        if c is None:
            return Reply(404, error_body(404))
        return Reply(200, {"data": dict(c)})

    def put_component(self, cid, data, q, authed):
        c = self.component(cid)
        if c is None:
            return Reply(404, error_body(404))
        if "status" in data:
            st = as_int(data["status"])
            if st is None or not 0 <= st <= 4:
                return invalid("The status must be between 0 and 4.")
            self.set_status(c, st)
        if "name" in data:
            if not isinstance(data["name"], str) or not data["name"]:
                return invalid("The name field is required.")
            c["name"] = data["name"]
        c["updated_at"] = stamp()
        return Reply(200, {"data": dict(c)})

    def delete_component(self, cid, data, q, authed):
        c = self.component(cid)
        if c is None:
            return Reply(404, error_body(404))
        self.gh.components_.remove(c)
        return Reply(204)

    def set_status(self, c, st):
        c["status"] = st
        c["status_name"] = COMPONENT_STATUS[st]
        c["updated_at"] = stamp()

    # incidents

    def incident(self, iid):
        for i in self.gh.incidents_:
            if i["id"] == iid:
                return i
        return None

    def list_incidents(self, _id, data, q, authed):
        items = [i for i in self.gh.incidents_
                 if authed or i["visible"] >= 1]
        return self.paginate("incidents", items, q)

    def get_incident(self, iid, data, q, authed):
        i = self.incident(iid)
        if i is None or (not authed and i["visible"] < 1):
            return Reply(404, error_body(404))
        return Reply(200, {"data": dict(i)})

    def check_incident(self, data, create):
        """The validation messages of an incident create or update."""
        out = []
        name = data.get("name")
        if create or "name" in data:
            if not isinstance(name, str) or not name.strip():
                out.append("The name field is required.")
        if create or "status" in data:
            st = as_int(data.get("status"))
            if st is None or not 0 <= st <= 4:
                out.append("The status field is required." if
                           "status" not in data else
                           "The status must be between 0 and 4.")
        for k in ("visible", "notify", "stickied"):
            if k in data and as_bool(data[k]) is None:
                out.append("The %s field must be true or false." % k)
        has_id = data.get("component_id") not in (None, "", 0, "0")
        has_st = data.get("component_status") not in (None, "")
        if has_id != has_st:
            out.append("The component id field is required when "
                       "component status is present." if has_st else
                       "The component status field is required when "
                       "component id is present.")
        if has_st:
            cs = as_int(data.get("component_status"))
            if cs is None or not 0 <= cs <= 4:
                out.append("The component status must be between 0 "
                           "and 4.")
        if "meta" in data and not isinstance(data["meta"], (dict, list)):
            out.append("The meta must be an array.")
        if "message" in data and not isinstance(data["message"],
                                                (str, type(None))):
            out.append("The message must be a string.")
        return out

    def apply_component(self, data):
        cid = as_int(data.get("component_id"))
        cs = as_int(data.get("component_status"))
        if cid and cs is not None:
            c = self.component(cid)
            if c is not None:       # an unknown id is ignored
                self.set_status(c, cs)

    def post_incident(self, _id, data, q, authed):
        errs = self.check_incident(data, True)
        if errs:
            return invalid(*errs)
        if len(data["name"]) > 255:
            # the column is a varchar(255): a database error, which
            # Cachet answers as a bare 400
            return Reply(400, error_body(400))
        ca = self.gh
        iid = ca._next("incident")
        now = stamp()
        st = as_int(data["status"])
        meta = []
        if isinstance(data.get("meta"), dict):
            for k, v in data["meta"].items():
                ca.metas += 1
                meta.append({"id": ca.metas, "key": k, "value": v,
                             "meta_id": iid, "meta_type": "incidents",
                             "created_at": now, "updated_at": now})
        inc = {
            "id": iid, "component_id": as_int(data.get("component_id"))
            or 0, "name": data["name"], "status": st,
            "visible": int(as_bool(data.get("visible", True))),
            "stickied": bool(as_bool(data.get("stickied", False))),
            "notifications": bool(as_bool(data.get("notify", True))),
            "message": data.get("message") or "", "user_id": 1,
            "occurred_at": data.get("occurred_at") or now,
            "created_at": now, "updated_at": now, "deleted_at": None,
            "human_status": INCIDENT_STATUS[st], "latest_update_id": None,
            "latest_status": st, "latest_human_status": INCIDENT_STATUS[st],
            "permalink": "%s/incidents/%d" % (ca.site, iid),
            "duration": 0, "meta": meta, "is_resolved": st == 4}
        ca.incidents_.append(inc)
        self.apply_component(data)
        return Reply(200, {"data": dict(inc)})

    def put_incident(self, iid, data, q, authed):
        inc = self.incident(iid)
        if inc is None:
            return Reply(404, error_body(404))
        errs = self.check_incident(data, False)
        if errs:
            return invalid(*errs)
        for k in ("name", "message"):
            if k in data:
                inc[k] = data[k]
        if "status" in data:
            self.set_incident_status(inc, as_int(data["status"]))
        if "visible" in data:
            inc["visible"] = int(as_bool(data["visible"]))
        self.apply_component(data)
        inc["updated_at"] = stamp()
        return Reply(200, {"data": dict(inc)})

    def set_incident_status(self, inc, st):
        inc["status"] = inc["latest_status"] = st
        inc["human_status"] = INCIDENT_STATUS[st]
        inc["latest_human_status"] = INCIDENT_STATUS[st]
        inc["is_resolved"] = st == 4
        inc["updated_at"] = stamp()

    def delete_incident(self, iid, data, q, authed):
        inc = self.incident(iid)
        if inc is None:
            return Reply(404, error_body(404))
        self.gh.incidents_.remove(inc)
        self.gh.updates_[:] = [u for u in self.gh.updates_
                               if u["incident_id"] != iid]
        return Reply(204)

    # incident updates

    def list_updates(self, iid, data, q, authed):
        if self.incident(iid) is None:
            return Reply(404, error_body(404))
        # newest first (Cachet orders them by created_at, descending)
        items = [u for u in reversed(self.gh.updates_)
                 if u["incident_id"] == iid]
        return self.paginate("incidents", items, {
            k: v for k, v in q.items() if k in ("per_page", "page")})

    def post_update(self, iid, data, q, authed):
        inc = self.incident(iid)
        if inc is None:
            return Reply(404, error_body(404))
        errs = []
        st = as_int(data.get("status"))
        if st is None or not 1 <= st <= 4:
            errs.append("The status field is required." if
                        "status" not in data else
                        "The status must be between 1 and 4.")
        msg = data.get("message")
        if not isinstance(msg, str) or not msg.strip():
            errs.append("The message field is required.")
        if errs:
            return invalid(*errs)
        ca = self.gh
        now = stamp()
        uid = ca._next("update")
        up = {"id": uid, "incident_id": iid, "status": st, "message": msg,
              "user_id": 1, "created_at": now, "updated_at": now,
              "human_status": INCIDENT_STATUS[st],
              "permalink": "%s/incidents/%d#update-%d" % (ca.site, iid,
                                                          uid)}
        ca.updates_.append(up)
        self.set_incident_status(inc, st)
        inc["latest_update_id"] = uid
        self.apply_component(data)
        return Reply(200, {"data": dict(up)})


def main():
    ap = _base.command_line("a fake Cachet 2.x site")
    ap.add_argument("--token", default="cachet-token")
    ap.add_argument("--component", action="append", default=[],
                    help="a component to start with (repeatable)")
    args = ap.parse_args()
    ca = FakeCachet(token=args.token, host=args.host, port=args.port).start()
    for name in args.component:
        ca.add_component(name)
    return _base.serve(ca, "fake Cachet on %s (API %s%s)" % (ca.url,
                                                               ca.url, API))


if __name__ == "__main__":
    sys.exit(main())
