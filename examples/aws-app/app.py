"""An application written from AWS's Lambda MicroVMs documentation alone, run on Ember unchanged.

- Application traffic on 0.0.0.0:8080 (the endpoint's default port): JSON at /, a WebSocket echo at /ws,
  server-sent events at /events.
- gRPC on 0.0.0.0:50051 (clients pick it with `X-aws-proxy-port: 50051` and `X-aws-proxy-force-h2: true`):
  service `example.Greeter`, a unary `Hello` and a server-streaming `Count`, bytes in and out (no generated code).
- Lifecycle hooks on 0.0.0.0:9000 at AWS's paths, `POST /aws/lambda-microvms/runtime/v1/<hook>`:
  `ready` answers 503 until the application finished starting (the platform retries until readyTimeoutInSeconds),
  `validate` checks the application's own routes, `run` keeps RunMicrovm's runHookPayload and draws this
  microVM's own id (after the snapshot), `suspend`, `resume` and `terminate` are recorded.
"""
import base64, hashlib, json, os, struct, threading, time, urllib.request, uuid
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc

HOOKS = "/aws/lambda-microvms/runtime/v1/"
state = {"started": False, "instance": None, "payload": None, "hooks": []}
lock = threading.Lock()


class Json(BaseHTTPRequestHandler):
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


class App(Json):
    def do_GET(self):
        if self.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        if self.path == "/events":
            return self.events()
        if self.path == "/":
            with lock:
                return self.reply(200, {"hello": "world", "instance": state["instance"], "payload": state["payload"],
                                        "hooks": [h["hook"] for h in state["hooks"]],
                                        "protocol": self.request_version,
                                        "sawProxyHeaders": [k for k in self.headers if k.lower().startswith("x-aws-proxy")]})
        self.reply(404, {"error": "no route " + self.path})

    def events(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(3):
            chunk = ("data: tick %d\n\n" % i).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            time.sleep(0.1)
        self.wfile.write(b"0\r\n\r\n")

    def websocket(self):
        """RFC 6455 echo. The platform strips its own lambda-microvms.* subprotocols; ours is `echo` when offered."""
        offered = [p.strip() for p in self.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"]
                                                + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        if "echo" in offered:
            self.send_header("Sec-WebSocket-Protocol", "echo")
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
            if opcode == 1:
                data = ("echo: " + data.decode("utf-8", "replace") + " offered=" + ",".join(offered)).encode()
            out = bytes([0x80 | opcode])
            out += bytes([len(data)]) if len(data) < 126 else b"\x7e" + struct.pack(">H", len(data))
            self.wfile.write(out + data)
            self.wfile.flush()


class Hooks(Json):
    def do_POST(self):
        if not self.path.startswith(HOOKS):
            return self.reply(404, {"error": "no hook " + self.path})
        name, body = self.path[len(HOOKS):], self.body()
        if name == "ready" and not state["started"]:
            return self.reply(503, {"ready": False})  # not yet: the platform asks again
        if name == "validate":
            try:
                with urllib.request.urlopen("http://127.0.0.1:8080/", timeout=5) as r:
                    ok = json.load(r)["hello"] == "world"
                with grpc.insecure_channel("127.0.0.1:50051") as ch:
                    ok = ok and ch.unary_unary("/example.Greeter/Hello")(b"validate", timeout=5) == b"hello validate"
            except Exception as e:
                return self.reply(500, {"validated": False, "error": str(e)})
            if not ok:
                return self.reply(500, {"validated": False})
        with lock:
            state["hooks"].append({"hook": name, "at": time.time()})
            if name == "run":
                state["instance"] = str(uuid.uuid4())  # per microVM: drawn after the snapshot
                state["payload"] = body
        self.reply(200, {"hook": name})


def hello(request, context):
    return b"hello " + request


def count(request, context):
    for i in range(int(request.decode() or "0")):
        yield str(i).encode()


def serve_grpc():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("example.Greeter", {
        "Hello": grpc.unary_unary_rpc_method_handler(hello),
        "Count": grpc.unary_stream_rpc_method_handler(count),
    }),))
    server.add_insecure_port("0.0.0.0:50051")
    server.start()
    return server


def serve(handler, port):
    ThreadingHTTPServer.daemon_threads = True
    threading.Thread(target=ThreadingHTTPServer(("0.0.0.0", port), handler).serve_forever, daemon=True).start()


if __name__ == "__main__":
    serve(Hooks, 9000)
    grpc_server = serve_grpc()
    serve(App, 8080)
    time.sleep(float(os.environ.get("WARMUP_SECONDS", "1")))  # e.g. loading a model; /ready says 503 meanwhile
    state["started"] = True
    grpc_server.wait_for_termination()
