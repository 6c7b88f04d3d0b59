"""A minimal host side of the Ember agent protocol (docs/agent-protocol.md), for tests.

It checks what the guest sends: frame bounds, reserved bytes, and that the guest never sends
more STDOUT/STDERR/FILE_DATA than the credit this client granted.
"""
import queue
import socket
import struct
import threading
import time
from collections import defaultdict, deque

MAX_FRAME = 1024 * 1024
MAX_CHUNK = 65536
WINDOW = 262144

(HELLO, EXEC, STDIN, SIGNAL, FILE_WRITE, FILE_DATA, FILE_READ, STAT, LIST, MKDIR, REMOVE, WINDOW_T, CANCEL,
 SPAWN, RESTORED, CONNECT, TCP_DATA, RESIZE, METADATA, META_ANSWER) = range(1, 21)
OK, HELLO_OK, STARTED, STDOUT, STDERR, EXIT, FILE_INFO, STAT_RESULT, LIST_ENTRY, META_REQUEST = range(0x80, 0x8A)
ERROR = 0x8F
NAMES = {v: k for k, v in dict(HELLO=1, EXEC=2, STDIN=3, SIGNAL=4, FILE_WRITE=5, FILE_DATA=6, FILE_READ=7,
                               STAT=8, LIST=9, MKDIR=10, REMOVE=11, WINDOW=12, CANCEL=13, SPAWN=14,
                               RESTORED=15, CONNECT=16, TCP_DATA=17, RESIZE=18, METADATA=19, META_ANSWER=20, OK=0x80,
                               HELLO_OK=0x81, STARTED=0x82, STDOUT=0x83, STDERR=0x84, EXIT=0x85,
                               FILE_INFO=0x86, STAT_RESULT=0x87, LIST_ENTRY=0x88, META_REQUEST=0x89,
                               ERROR=0x8F).items()}

(ARG, ENV, CWD, TIMEOUT_MS, STDIN_F, SIGNO, PATH, MODE, PARENTS, RECURSIVE, N, VERSION, AGENT, KERNEL,
 HOSTNAME, PID, CODE, TIMED_OUT, SIZE, TYPE, MTIME_MS, NAME, ERRNO, MESSAGE, USER, FEATURES, TIME_NS, ENTROPY,
 NEW_IDENTITY, PORT, PTY, ROWS, COLS, REQ, STATUS, VALUE, NET) = range(1, 38)
INT_TAGS = {TIMEOUT_MS, STDIN_F, SIGNO, MODE, PARENTS, RECURSIVE, N, VERSION, PID, CODE, TIMED_OUT, SIZE,
            MTIME_MS, ERRNO, TIME_NS, NEW_IDENTITY, PORT, PTY, ROWS, COLS, REQ, STATUS}
DATA_TYPES = {STDIN, FILE_DATA, STDOUT, STDERR, TCP_DATA}
TEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ProtocolError(Exception):
    pass


def f_str(tag, value):
    b = value.encode() if isinstance(value, str) else value
    return struct.pack(">BI", tag, len(b)) + b


def f_int(tag, value):
    return struct.pack(">BIq", tag, 8, value)


def frame(stream, ftype, payload=b"", reserved=b"\0\0\0"):
    return struct.pack(">IIB", len(payload), stream, ftype) + reserved + payload


def decode_fields(payload):
    out, off = defaultdict(list), 0
    while off < len(payload):
        if len(payload) - off < 5:
            raise ProtocolError("truncated field header")
        tag, length = struct.unpack_from(">BI", payload, off)
        off += 5
        if off + length > len(payload):
            raise ProtocolError("field overruns payload")
        v = payload[off:off + length]
        off += length
        if tag in INT_TAGS:
            if length != 8:
                raise ProtocolError(f"int field {tag} of length {length}")
            v = struct.unpack(">q", v)[0]
        elif tag in (AGENT, KERNEL, HOSTNAME, TYPE, NAME, MESSAGE, FEATURES):
            v = v.decode()
        out[tag].append(v)
    return {k: (v[0] if len(v) == 1 else v) for k, v in out.items()}


class Event:
    def __init__(self, stream, ftype, payload):
        self.stream, self.type, self.payload = stream, ftype, payload
        self.fields = {} if ftype in DATA_TYPES else decode_fields(payload)

    def __repr__(self):
        body = len(self.payload) if self.type in DATA_TYPES else self.fields
        return f"<{NAMES.get(self.type, hex(self.type))} s={self.stream} {body}>"


class AgentError(Exception):
    def __init__(self, errno, message):
        super().__init__(f"errno {errno}: {message}")
        self.errno, self.message = errno, message


class Client:
    """Talks to one agent over a connected socket. A reader thread parses and checks frames."""

    def __init__(self, sock):
        self.sock = sock
        self.events = queue.Queue()
        self.pending = defaultdict(deque)
        self.lock = threading.Condition()
        self.send_credit = defaultdict(lambda: WINDOW)   # what we may still send
        self.recv_allowed = defaultdict(lambda: WINDOW)  # what the guest may still send us
        self.max_outstanding = defaultdict(int)
        self.violations = []
        self.closed = False
        self.next_id = 1
        self.wlock = threading.Lock()
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def new_stream(self):
        sid, self.next_id = self.next_id, self.next_id + 1
        return sid

    def send_raw(self, data):
        with self.wlock:
            self.sock.sendall(data)

    def send(self, stream, ftype, payload=b""):
        self.send_raw(frame(stream, ftype, payload))

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def _read_loop(self):
        try:
            while True:
                hdr = self._recv_exact(12)
                if hdr is None:
                    break
                length, stream, ftype = struct.unpack(">IIB", hdr[:9])
                if length > MAX_FRAME or hdr[9:] != b"\0\0\0":
                    self.violations.append(f"bad header {hdr.hex()}")
                    break
                payload = self._recv_exact(length) if length else b""
                if payload is None:
                    self.violations.append("truncated frame")
                    break
                ev = Event(stream, ftype, payload)
                if ftype in (STDOUT, STDERR, FILE_DATA, TCP_DATA):
                    if length > MAX_CHUNK:
                        self.violations.append(f"chunk of {length} bytes")
                    with self.lock:
                        self.recv_allowed[stream] -= length
                        if self.recv_allowed[stream] < 0:
                            self.violations.append(f"stream {stream}: guest exceeded its window")
                        used = WINDOW - self.recv_allowed[stream]
                        self.max_outstanding[stream] = max(self.max_outstanding[stream], used)
                if ftype == WINDOW_T:
                    with self.lock:
                        self.send_credit[stream] += ev.fields[N]
                        self.lock.notify_all()
                    continue
                self.events.put(ev)
        except (OSError, ProtocolError) as e:
            self.violations.append(f"reader: {e}")
        finally:
            with self.lock:
                self.closed = True
                self.lock.notify_all()
            self.events.put(None)

    def grant(self, stream, n):
        with self.lock:
            self.recv_allowed[stream] += n
        self.send(stream, WINDOW_T, f_int(N, n))

    def next(self, stream=None, timeout=30.0):
        """Next event of `stream` (or of any stream when None); raises on timeout or EOF."""
        deadline = time.monotonic() + timeout
        if stream is None:
            for q in self.pending.values():
                if q:
                    return q.popleft()
        elif self.pending[stream]:
            return self.pending[stream].popleft()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no event for stream {stream} in {timeout}s")
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if ev is None:
                self.events.put(None)
                raise EOFError("agent closed the channel")
            if stream is None or ev.stream == stream:
                return ev
            self.pending[ev.stream].append(ev)

    def quiet(self, stream, seconds):
        """True when nothing arrives for `stream` during `seconds`."""
        try:
            ev = self.next(stream, timeout=seconds)
        except TimeoutError:
            return True
        self.pending[stream].appendleft(ev)
        return False

    def wait_credit(self, stream, n, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.send_credit[stream] < n:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise TimeoutError(f"no credit on stream {stream}")
                self.lock.wait(left)
            self.send_credit[stream] -= n

    def send_data(self, stream, ftype, data):
        for off in range(0, len(data), MAX_CHUNK):
            chunk = data[off:off + MAX_CHUNK]
            self.wait_credit(stream, len(chunk))
            self.send(stream, ftype, chunk)

    # ---- requests ----

    def hello(self):
        self.send(0, HELLO)
        ev = self.next(0)
        assert ev.type == HELLO_OK, ev
        return ev.fields

    @staticmethod
    def launch_payload(argv, env=None, cwd=None, user=None):
        env = {"PATH": TEST_PATH} if env is None else env
        p = b"".join(f_str(ARG, a) for a in argv)
        p += b"".join(f_str(ENV, f"{k}={v}") for k, v in env.items())
        if cwd is not None:
            p += f_str(CWD, cwd)
        if user is not None:
            p += f_str(USER, user)
        return p

    def exec_start(self, argv, env=None, cwd=None, timeout_ms=0, stdin=False, user=None, extra=b""):
        p = self.launch_payload(argv, env, cwd, user)
        p += f_int(TIMEOUT_MS, timeout_ms) + f_int(STDIN_F, 1 if stdin else 0) + extra
        sid = self.new_stream()
        self.send(sid, EXEC, p)
        ev = self.next(sid)
        if ev.type == ERROR:
            raise AgentError(ev.fields[ERRNO], ev.fields.get(MESSAGE))
        assert ev.type == STARTED, ev
        return sid, ev.fields[PID]

    def spawn(self, argv, log=None, env=None, cwd=None, user=None, extra=b""):
        """SPAWN: returns (stream, pid); STARTED is the last frame of the stream."""
        p = self.launch_payload(argv, env, cwd, user) + extra
        if log is not None:
            p += f_str(PATH, log)
        sid = self.new_stream()
        self.send(sid, SPAWN, p)
        return sid, self._answer(sid, STARTED).fields[PID]

    def restored(self, time_ns=None, entropy=None, hostname=None, new_identity=None, net=None):
        """RESTORED with the fields given (None = left out)."""
        p = b""
        if time_ns is not None:
            p += f_int(TIME_NS, time_ns)
        if entropy is not None:
            p += f_str(ENTROPY, entropy)
        if hostname is not None:
            p += f_str(HOSTNAME, hostname)
        if new_identity is not None:
            p += f_int(NEW_IDENTITY, new_identity)
        if net is not None:
            p += f_str(NET, net)
        sid = self.new_stream()
        self.send(sid, RESTORED, p)
        self._answer(sid, OK)

    def connect(self, port, timeout_ms=None):
        """CONNECT to 127.0.0.1:port in the guest: returns the stream once the guest answered OK."""
        p = f_int(PORT, port) + (f_int(TIMEOUT_MS, timeout_ms) if timeout_ms is not None else b"")
        sid = self.new_stream()
        self.send(sid, CONNECT, p)
        self._answer(sid, OK)
        return sid

    def metadata(self):
        """METADATA: this client answers the guest's metadata endpoint on the returned stream."""
        sid = self.new_stream()
        self.send(sid, METADATA)
        self._answer(sid, OK)
        return sid

    def collect(self, sid, timeout=60.0, grant=True):
        """Output and EXIT of an exec stream, granting credit back as it is consumed."""
        out, err = bytearray(), bytearray()
        while True:
            ev = self.next(sid, timeout)
            if ev.type in (STDOUT, STDERR):
                (out if ev.type == STDOUT else err).extend(ev.payload)
                if grant:
                    self.grant(sid, len(ev.payload))
            elif ev.type == EXIT:
                return bytes(out), bytes(err), ev.fields
            else:
                raise AssertionError(f"unexpected {ev}")

    def run(self, argv, **kw):
        timeout = kw.pop("wait", 60.0)
        sid, _ = self.exec_start(argv, **kw)
        return self.collect(sid, timeout)

    def _answer(self, sid, expect):
        ev = self.next(sid)
        if ev.type == ERROR:
            raise AgentError(ev.fields[ERRNO], ev.fields.get(MESSAGE))
        assert ev.type == expect, ev
        return ev

    def write_file(self, path, data, mode=0o644):
        sid = self.new_stream()
        self.send(sid, FILE_WRITE, f_str(PATH, path) + f_int(MODE, mode))
        self.send_data(sid, FILE_DATA, data)
        self.send(sid, FILE_DATA)
        self._answer(sid, OK)

    def read_file(self, path):
        sid = self.new_stream()
        self.send(sid, FILE_READ, f_str(PATH, path))
        size = self._answer(sid, FILE_INFO).fields[SIZE]
        data = bytearray()
        while True:
            ev = self._answer(sid, FILE_DATA)
            if not ev.payload:
                return size, bytes(data)
            data.extend(ev.payload)
            self.grant(sid, len(ev.payload))

    def stat(self, path):
        sid = self.new_stream()
        self.send(sid, STAT, f_str(PATH, path))
        return self._answer(sid, STAT_RESULT).fields

    def list(self, path):
        sid = self.new_stream()
        self.send(sid, LIST, f_str(PATH, path))
        entries = {}
        while True:
            ev = self.next(sid)
            if ev.type == ERROR:
                raise AgentError(ev.fields[ERRNO], ev.fields.get(MESSAGE))
            if ev.type == OK:
                return entries
            assert ev.type == LIST_ENTRY, ev
            entries[ev.fields[NAME]] = ev.fields

    def mkdir(self, path, parents=False, mode=0o755):
        sid = self.new_stream()
        self.send(sid, MKDIR, f_str(PATH, path) + f_int(PARENTS, int(parents)) + f_int(MODE, mode))
        self._answer(sid, OK)

    def remove(self, path, recursive=False):
        sid = self.new_stream()
        self.send(sid, REMOVE, f_str(PATH, path) + f_int(RECURSIVE, int(recursive)))
        self._answer(sid, OK)
