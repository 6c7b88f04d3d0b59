"""A small per-session HTTP service for Ember's endpoint example.

Every microVM launched from the image resumes the same snapshot, so anything drawn before the
snapshot (a session id, a secret) would be shared by every session: the run hook draws them.
The hooks are served where AWS Lambda MicroVMs (and Ember) call them: POST /aws/lambda-microvms/runtime/v1/<hook>.
State lives in memory only: it survives suspend and resume because the whole VM does.
"""
import base64, hashlib, json, os, socket, struct, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8080"))
HOOKS = "/aws/lambda-microvms/runtime/v1/"
STARTED = time.monotonic()
# /ready answers 503 ("not yet, ask again") for this many seconds after the start: a warm-up the build waits for.
WARM_UP = float(os.environ.get("WARM_UP_SECONDS", "0"))
state = {"session": None, "payload": None, "counter": 0, "notes": [], "hooks": []}
lock = threading.Lock()


def hook(name, body):
    with lock:
        state["hooks"].append({"hook": name, "at": time.time(), "body": body})
        if name == "run":
            state["session"] = str(uuid.uuid4())  # drawn per microVM, after the snapshot
            state["secret"] = os.urandom(16).hex()
            state["payload"] = body
    delay = float(os.environ.get("HOOK_DELAY_" + name.upper(), "0"))
    if delay:
        time.sleep(delay)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode("utf-8", "replace") if n else ""

    def do_GET(self):
        if self.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        if self.path.startswith("/stream"):
            return self.stream()
        if self.path == "/state":
            with lock:
                return self.reply(200, {k: v for k, v in state.items() if k != "secret"}
                                  | {"hostname": socket.gethostname()})
        if self.path == "/headers":
            return self.reply(200, dict(self.headers.items()))
        self.reply(404, {"error": "no route " + self.path})

    def do_POST(self):
        body = self.body()
        name = self.path[len(HOOKS):] if self.path.startswith(HOOKS) else None
        if name == "ready" and time.monotonic() - STARTED < WARM_UP:
            return self.reply(503, {"ready": False})
        if name in ("run", "suspend", "resume", "terminate", "ready", "validate"):
            hook(name, body)
            status = int(os.environ.get("HOOK_STATUS_" + name.upper(), "200"))
            return self.reply(status, {"ok": status == 200})
        if self.path == "/counter":
            with lock:
                state["counter"] += 1
                return self.reply(200, {"counter": state["counter"], "session": state["session"]})
        if self.path == "/notes":
            with lock:
                state["notes"].append(body[:1000])
                return self.reply(200, {"notes": len(state["notes"])})
        if self.path == "/echo":
            return self.reply(200, {"length": len(body), "sha256": hashlib.sha256(body.encode()).hexdigest()})
        self.reply(404, {"error": "no route " + self.path})

    def stream(self):
        """Server-sent events, one every 200 ms: shows that the endpoint passes a response through as it is written."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(5):
            chunk = ("data: tick %d %.3f\n\n" % (i, time.time())).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            time.sleep(0.2)
        self.wfile.write(b"0\r\n\r\n")

    def websocket(self):
        """An echo WebSocket (RFC 6455, text and binary frames), enough to show upgrades pass through."""
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"]
                                                + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        r = self.rfile
        while True:
            head = r.read(2)
            if len(head) < 2:
                return
            opcode, n = head[0] & 0x0F, head[1] & 0x7F
            if n == 126:
                n = struct.unpack(">H", r.read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", r.read(8))[0]
            mask = r.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(r.read(n)))
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                return
            out = bytes([0x80 | opcode])
            out += bytes([len(data)]) if len(data) < 126 else b"\x7e" + struct.pack(">H", len(data))
            self.wfile.write(out + data)
            self.wfile.flush()


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
