"""METADATA tests (local mode only): the agent's metadata endpoint on 127.0.0.1:<--metadata-port>, answered by us."""
import socket
import threading
import time

from emberproto import *  # noqa: F403

EBUSY = 16


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def http(port, request, timeout=15):
    """Sends raw request bytes to the endpoint; returns (status, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")][0].split(b":")[1])
    check(len(body) == length, f"body of {len(body)} bytes, Content-Length {length}")
    return status, body


def get(port, path, headers=b"X-Ember-Metadata: true\r\n"):
    return http(port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 169.254.169.254\r\n" + headers + b"\r\n")


def in_thread(fn):
    """Runs fn in a thread; returns a function that waits for and returns its result."""
    box = {}

    def run():
        try:
            box["r"] = fn()
        except Exception as e:  # noqa: BLE001
            box["e"] = e
    t = threading.Thread(target=run, daemon=True)
    t.start()

    def result():
        t.join(30)
        if "e" in box:
            raise box["e"]
        return box["r"]
    return result


def answer(c, sid, fields):
    """The next META_REQUEST of stream sid; answered with REQ and `fields`. Returns the request's fields."""
    ev = c.next(sid)
    check(ev.type == META_REQUEST, f"expected META_REQUEST, got {ev}")
    c.send(sid, META_ANSWER, f_int(REQ, ev.fields[REQ]) + fields)
    return ev.fields


def test_meta_no_host_stream_is_503(x):
    status, body = get(x.t.metadata_port, "/latest/secrets/db")
    check(status == 503, f"status {status} {body!r}")
    return body.decode().strip()


def test_meta_secret_list_and_errors(x):
    c, port = x.c, x.t.metadata_port
    sid = c.metadata()
    try:
        value = "pa55 wörd\n".encode() + bytes(range(1, 256))
        r = in_thread(lambda: get(port, "/latest/secrets/app/db_password"))
        req = answer(c, sid, f_int(STATUS, 200) + f_str(VALUE, value))
        check(req.get(NAME) == "app/db_password", f"request {req}")
        check(r() == (200, value), "the value comes back byte for byte")

        r = in_thread(lambda: get(port, "/latest/secrets/"))
        req = answer(c, sid, f_int(STATUS, 200) + f_str(NAME, "a") + f_str(NAME, "app/db_password"))
        check(NAME not in req, f"a listing asks without NAME: {req}")
        check(r() == (200, b"a\napp/db_password\n"), "listing")

        r = in_thread(lambda: get(port, "/latest/secrets/other"))
        answer(c, sid, f_int(STATUS, 403) + f_str(MESSAGE, "secret 'other' is not in this microVM's execution role"))
        status, body = r()
        check(status == 403 and b"not in this microVM's execution role" in body, f"{status} {body!r}")

        # Two at once: answered out of order, each gets its own.
        r1 = in_thread(lambda: get(port, "/latest/secrets/one"))
        ev1 = c.next(sid)
        r2 = in_thread(lambda: get(port, "/latest/secrets/two"))
        ev2 = c.next(sid)
        c.send(sid, META_ANSWER, f_int(REQ, ev2.fields[REQ]) + f_int(STATUS, 200) + f_str(VALUE, "2"))
        c.send(sid, META_ANSWER, f_int(REQ, ev1.fields[REQ]) + f_int(STATUS, 200) + f_str(VALUE, "1"))
        check(r1() == (200, b"1") and r2() == (200, b"2"), "answers matched by REQ")
        # An answer for a REQ nobody waits for is dropped.
        c.send(sid, META_ANSWER, f_int(REQ, 999999) + f_int(STATUS, 200) + f_str(VALUE, "x"))
    finally:
        c.send(sid, CANCEL)
    return "value, listing, 403, two in flight"


def test_meta_guards_never_reach_host(x):
    c, port = x.c, x.t.metadata_port
    sid = c.metadata()
    try:
        cases = [
            (get(port, "/latest/secrets/db", headers=b""), 403),
            (get(port, "/latest/secrets/db", headers=b"X-Ember-Metadata: false\r\n"), 403),
            (get(port, "/latest/secrets/db", headers=b"X-Ember-Metadata: true\r\nX-Forwarded-For: 10.0.0.1\r\n"), 403),
            (http(port, b"POST /latest/secrets/db HTTP/1.1\r\nX-Ember-Metadata: true\r\n\r\n"), 405),
            (get(port, "/latest/meta-data/"), 404),
            (get(port, "/latest/secrets/a%20b"), 400),
            (get(port, "/latest/secrets/" + "a" * 129), 400),
            (http(port, b"GET /latest/secrets/db HTTP/1.1\r\nX-Pad: " + b"p" * 5000 + b"\r\n\r\n"), 431),
            (http(port, b"garbage\r\n\r\n"), 400),
        ]
        got = [s for (s, _), _ in cases]
        check(got == [want for _, want in cases], f"statuses {got}")
        check(c.quiet(sid, 0.3), "a refused request reached the host")
    finally:
        c.send(sid, CANCEL)
    return "9 refusals"


def test_meta_busy_cancel_and_reopen(x):
    c, port = x.c, x.t.metadata_port
    sid = c.metadata()
    second = c.new_stream()
    c.send(second, METADATA)
    ev = c.next(second)
    check(ev.type == ERROR and ev.fields[ERRNO] == EBUSY, f"second METADATA: {ev}")
    r = in_thread(lambda: get(port, "/latest/secrets/db"))
    check(c.next(sid).type == META_REQUEST, "request forwarded")
    c.send(sid, CANCEL)  # the host goes: the waiting request is told so
    status, _ = r()
    check(status == 503, f"status after CANCEL {status}")
    sid = c.metadata()
    r = in_thread(lambda: get(port, "/latest/secrets/db"))
    answer(c, sid, f_int(STATUS, 200) + f_str(VALUE, "v"))
    check(r() == (200, b"v"), "served again after a new METADATA")
    c.send(sid, CANCEL)
    return "EBUSY, 503 on CANCEL, reopened"


def test_meta_slow_client_and_many(x):
    c, port = x.c, x.t.metadata_port
    sid = c.metadata()
    try:
        idle = socket.create_connection(("127.0.0.1", port))  # sends nothing: 408 after 5 s, meanwhile others go on
        results = [in_thread(lambda i=i: get(port, f"/latest/secrets/s{i}")) for i in range(10)]
        seen = set()
        for _ in range(10):
            req = answer(c, sid, f_int(STATUS, 200) + f_str(VALUE, "ok"))
            seen.add(req[NAME])
        check(len(seen) == 10 and all(r() == (200, b"ok") for r in results), "10 concurrent requests")
        t0 = time.monotonic()
        idle.settimeout(15)
        data = idle.recv(4096)
        check(data.startswith(b"HTTP/1.1 408"), f"idle client got {data[:40]!r}")
        idle.close()
        return f"10 concurrent; idle client cut after {time.monotonic() - t0:.1f} s more"
    finally:
        c.send(sid, CANCEL)


META_TESTS = [test_meta_no_host_stream_is_503, test_meta_secret_list_and_errors, test_meta_guards_never_reach_host,
              test_meta_busy_cancel_and_reopen, test_meta_slow_client_and_many]


def _answer_on_exec_stream(c):
    c.send(1, EXEC, f_str(ARG, "sleep") + f_str(ARG, "30") + f_str(ENV, "PATH=" + TEST_PATH) + f_int(STDIN_F, 0))
    c.next(1)
    c.send(1, META_ANSWER, f_int(REQ, 1) + f_int(STATUS, 200))


def _answer_without_status(c):
    sid = c.metadata()
    c.send(sid, META_ANSWER, f_int(REQ, 1))


META_MALFORMED = {
    "META_ANSWER on an exec stream": _answer_on_exec_stream,
    "META_ANSWER without STATUS": _answer_without_status,
}
