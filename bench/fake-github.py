#!/usr/bin/env python3
"""A stand-in for GitHub's REST API for bench/daemon-memory.sh: every GET .../actions/runners?name=NAME lists one online,
idle runner of that name (id 42, the default labels and one custom label), so the daemon's start-up check of the
credential and its hourly listing of each runner get an answer without the network. As GitHub, every answer carries a
weak ETag, and a request whose If-None-Match names it gets 304 Not Modified with no body (GitHub's conditional
requests). Prints the port, then serves."""
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlparse(self.path)
        if not url.path.endswith("/actions/runners"):
            self.send_error(404)
            return
        name = parse_qs(url.query).get("name", ["runner"])[0]
        labels = [{"id": 1, "name": "self-hosted", "type": "read-only"}, {"id": 2, "name": "Linux", "type": "read-only"},
                  {"id": 3, "name": "X64", "type": "read-only"}, {"id": 4, "name": "bench", "type": "custom"}]
        body = json.dumps({"total_count": 1, "runners": [
            {"id": 42, "name": name, "os": "linux", "status": "online", "busy": False, "ephemeral": False, "labels": labels}]}).encode()
        etag = 'W/"%s"' % hashlib.sha256(body).hexdigest()
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("X-RateLimit-Remaining", "4999")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-RateLimit-Remaining", "4999")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
