"""CONNECT tests (local mode only): the agent connects to TCP servers this test runs on 127.0.0.1."""
import os
import socket
import threading
import time

from emberproto import *  # noqa: F403

ECONNREFUSED, EMFILE, EINVAL = 111, 24, 22


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Server:
    """A TCP server on 127.0.0.1 with one thread per connection running `handler(conn)`."""

    def __init__(self, handler):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.handler, self.conns, self.closed = handler, [], threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            self.handler(c)
        except OSError:
            pass
        finally:
            c.close()
            self.closed.set()

    def close(self):
        self.sock.close()


def echo(c):
    while True:
        b = c.recv(65536)
        if not b:
            c.shutdown(socket.SHUT_WR)
            return
        c.sendall(b)


def read_all(c, sid, grant=True, timeout=30):
    """TCP_DATA of `sid` up to its empty frame, then the final OK."""
    got = bytearray()
    while True:
        ev = c.next(sid, timeout)
        check(ev.type == TCP_DATA, f"{ev}")
        if not ev.payload:
            break
        got += ev.payload
        if grant:
            c.grant(sid, len(ev.payload))
    return bytes(got)


def test_tcp_echo_and_half_close(x):
    s = Server(echo)
    try:
        sid = x.c.connect(s.port)
        x.c.send_data(sid, TCP_DATA, b"hello\n")
        ev = x.c.next(sid)
        check(ev.type == TCP_DATA and ev.payload == b"hello\n", f"{ev}")
        x.c.grant(sid, 6)
        x.c.send(sid, TCP_DATA, b"")  # half-close: the server sees EOF, answers its own EOF
        check(read_all(x.c, sid) == b"", "data after echo")
        ev = x.c.next(sid)
        check(ev.type == OK, f"final frame {ev}")
        check(x.c.quiet(sid, 0.3), "frames after the final OK")
    finally:
        s.close()


def test_tcp_server_speaks_first_and_closes(x):
    def greet(c):
        c.sendall(b"banner\n")
        c.shutdown(socket.SHUT_WR)
        check(c.recv(100) == b"bye", "server got")
    s = Server(greet)
    try:
        sid = x.c.connect(s.port)
        check(read_all(x.c, sid) == b"banner\n", "banner")
        x.c.send_data(sid, TCP_DATA, b"bye")  # the other direction is still open
        x.c.send(sid, TCP_DATA, b"")
        ev = x.c.next(sid)
        check(ev.type == OK, f"{ev}")
    finally:
        s.close()


def test_tcp_errors(x):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    for bad, err in ((port, ECONNREFUSED), (0, EINVAL), (65536, EINVAL), (-1, EINVAL)):
        try:
            x.c.connect(bad)
            raise AssertionError(f"connect {bad} succeeded")
        except AgentError as e:
            check(e.errno == err, f"port {bad}: {e}")
    sid = x.c.new_stream()
    x.c.send(sid, CONNECT, b"")  # no PORT
    ev = x.c.next(sid)
    check(ev.type == ERROR and ev.fields[ERRNO] == EINVAL, f"{ev}")


def test_tcp_1mib_each_way(x):
    """1 MiB each way at once; the guest never exceeds the window we grant, late and in pieces."""
    s = Server(echo)
    data = os.urandom(1 << 20)
    try:
        sid = x.c.connect(s.port)
        t0 = time.monotonic()
        w = threading.Thread(target=lambda: (x.c.send_data(sid, TCP_DATA, data), x.c.send(sid, TCP_DATA, b"")))
        w.start()
        got, owed = bytearray(), 0
        while True:
            ev = x.c.next(sid, 30)
            check(ev.type == TCP_DATA, f"{ev}")
            if not ev.payload:
                break
            got += ev.payload
            owed += len(ev.payload)
            if owed >= 32768:
                time.sleep(0.002)
                x.c.grant(sid, owed)
                owed = 0
        w.join(30)
        check(x.c.next(sid).type == OK, "final OK")
        dt = time.monotonic() - t0
        check(bytes(got) == data, "echo mismatch")
        check(x.c.max_outstanding[sid] <= WINDOW, "outstanding above window")
        return f"2 MiB through in {dt:.2f}s, max outstanding {x.c.max_outstanding[sid]}"
    finally:
        s.close()


def test_tcp_window_strict(x):
    """A server that writes 1 MiB: without grants the guest stops at WINDOW bytes."""
    s = Server(lambda c: c.sendall(b"z" * (1 << 20)))
    try:
        sid = x.c.connect(s.port)
        got = 0
        while got < WINDOW:
            ev = x.c.next(sid, 30)
            check(ev.type == TCP_DATA and ev.payload, f"{ev}")
            got += len(ev.payload)
        check(got == WINDOW and x.c.quiet(sid, 0.5), "guest sent beyond its window")
        x.c.grant(sid, got)
        rest = read_all(x.c, sid)
        check(got + len(rest) == 1 << 20, f"total {got + len(rest)}")
        x.c.send(sid, TCP_DATA, b"")
        check(x.c.next(sid).type == OK, "final OK")
    finally:
        s.close()


def test_tcp_concurrent(x):
    s = Server(echo)
    try:
        sids = [x.c.connect(s.port) for _ in range(100)]
        for i, sid in enumerate(sids):
            x.c.send(sid, TCP_DATA, f"stream {i}".encode())
            x.c.send(sid, TCP_DATA, b"")
        for i, sid in enumerate(sids):
            check(read_all(x.c, sid) == f"stream {i}".encode(), f"stream {i}")
            check(x.c.next(sid).type == OK, "final OK")
    finally:
        s.close()


def test_tcp_limit_and_cancel(x):
    """MAX_TCP (128) connections at once, the next is EMFILE; CANCEL closes the guest's socket."""
    s = Server(echo)
    try:
        sids = [x.c.connect(s.port) for _ in range(128)]
        try:
            x.c.connect(s.port)
            raise AssertionError("connection 129 accepted")
        except AgentError as e:
            check(e.errno == EMFILE, f"{e}")
        for sid in sids:
            x.c.send(sid, CANCEL)
        for sid in sids[-3:]:
            check(x.c.quiet(sid, 0.2), "frames after CANCEL")
        deadline = time.monotonic() + 10
        while sum(1 for c in s.conns if c.fileno() >= 0) and time.monotonic() < deadline:
            time.sleep(0.05)  # each server thread sees EOF and closes its end
        check(all(c.fileno() < 0 for c in s.conns), "guest sockets still open after CANCEL")
        sid = x.c.connect(s.port)  # room again
        x.c.send(sid, CANCEL)
    finally:
        s.close()


TCP_TESTS = [test_tcp_echo_and_half_close, test_tcp_server_speaks_first_and_closes, test_tcp_errors,
             test_tcp_1mib_each_way, test_tcp_window_strict, test_tcp_concurrent, test_tcp_limit_and_cancel]


def _listener():
    s = socket.socket()  # the kernel completes connects into the backlog: no accept needed
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def _tcp_data_after_end(c):
    lst = _listener()
    sid = c.connect(lst.getsockname()[1])
    c.send(sid, TCP_DATA, b"")
    c.send(sid, TCP_DATA, b"x")
    c.lst = lst  # kept open until the agent has judged


LOCAL_ONLY_MALFORMED = {"TCP_DATA after its end"}  # needs a listener on the host's loopback
TCP_MALFORMED = {
    "TCP_DATA after its end": _tcp_data_after_end,
    "TCP_DATA on an exec stream": lambda c: (c.send(1, EXEC, b"".join(f_str(ARG, a) for a in ["sleep", "5"])
                                                    + f_str(ENV, "PATH=" + TEST_PATH) + f_int(STDIN_F, 0)),
                                             c.next(1), c.send(1, TCP_DATA, b"x")),
}
