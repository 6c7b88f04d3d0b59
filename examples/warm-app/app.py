# A session service that is expensive to start: it "warms up" (here: sleeps 2 s and builds a cache),
# then serves its in-memory state over HTTP on port 8080. Ember starts it once, at image build time,
# and snapshots it warm: every microVM launched from the image answers at once, from that memory.
import http.server, json, os, time

started = time.time()
time.sleep(2)  # stands for loading a model, a JIT warm-up, a big import graph ...
cache = {"warmedAt": started, "pid": os.getpid(), "greeting": os.environ.get("GREETING", "hello")}
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        count += 1  # per-microVM state: each clone counts on its own from the launch on
        body = json.dumps(dict(cache, requests=count)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
