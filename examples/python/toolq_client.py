#!/usr/bin/env python3
"""A toolq gateway client using only the Python standard library.

    export TOOLQ_GATEWAY_URL=http://127.0.0.1:8080 TOOLQ_TOKEN=tq_...
    python3 toolq_client.py median_absolute_deviation '{"values": [10, 11, 12, 10, 9, 10, 50]}'

It submits the call (POST /v1/jobs, with an Idempotency-Key so that a retry
after a lost answer cannot run it twice), waits for it with long-polls
(GET /v1/jobs/{id}?wait=30s), and prints the final envelope. Exit status: 0
succeeded, 1 the job failed with a typed error (timeout, tool_error, ...),
2 the call was refused before it was queued (unknown tool, invalid input, ...).

Import it to use ToolqClient from your own code:

    from toolq_client import ToolqClient, ToolqError
    c = ToolqClient("http://127.0.0.1:8080", token)
    env = c.wait(c.submit("detect_outliers", {"values": [1, 2, 2, 3, 2, 100]})["id"])
    if env["state"] == "succeeded":
        print(env["result"])
    else:
        print(env["error"]["error"], env["error"]["message"])
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class ToolqError(Exception):
    """A refusal from the gateway: the error JSON {"error", "message", "details"}."""

    def __init__(self, status, body, retry_after=None):
        self.status = status
        self.code = body.get("error", "http_%d" % status)
        self.message = body.get("message", "")
        self.details = body.get("details", {})
        self.retry_after = retry_after
        super().__init__("%d %s: %s" % (status, self.code, self.message))


class ToolqClient:
    """Calls a toolq gateway. Jobs belong to the token that created them."""

    def __init__(self, base_url, token, timeout=90, retries=5):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout  # socket timeout; longer than any long-poll
        self.retries = retries  # for 429 and 503, honouring Retry-After

    def _request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        hdrs = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=hdrs)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    return res.status, json.loads(res.read() or b"{}")
            except urllib.error.HTTPError as e:
                raw = e.read()
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = {"message": raw.decode(errors="replace")}
                retry_after = e.headers.get("Retry-After")
                if e.code in (429, 503) and attempt < self.retries:
                    time.sleep(float(retry_after or 1))
                    continue
                raise ToolqError(e.code, payload, retry_after) from None

    def tools(self):
        """The tools, each with its description and JSON Schema input."""
        return self._request("GET", "/v1/tools")[1]["tools"]

    def submit(self, tool, input=None, timeout_s=None, memory_mb=None, queue=None, idempotency_key=None):
        """Queue a call; returns its envelope (state "queued")."""
        body = {"tool": tool, "input": input or {}}
        for k, v in (("timeout_s", timeout_s), ("memory_mb", memory_mb), ("queue", queue)):
            if v is not None:
                body[k] = v
        key = idempotency_key or str(uuid.uuid4())
        return self._request("POST", "/v1/jobs", body, {"Idempotency-Key": key})[1]

    def get(self, job_id, wait=None):
        """A job's envelope; with wait (seconds) the server holds the answer until the job is final."""
        q = "" if wait is None else "?" + urllib.parse.urlencode({"wait": "%gs" % wait})
        return self._request("GET", "/v1/jobs/" + urllib.parse.quote(job_id, safe="") + q)[1]

    def wait(self, job_id, deadline_s=None, poll_s=30):
        """Long-poll until the job is final (or deadline_s passes); returns the envelope."""
        end = None if deadline_s is None else time.monotonic() + deadline_s
        while True:
            left = poll_s if end is None else min(poll_s, max(0.0, end - time.monotonic()))
            env = self.get(job_id, wait=left)
            if env["state"] in ("succeeded", "failed", "cancelled") or (end is not None and time.monotonic() >= end):
                return env

    def cancel(self, job_id):
        """Cancel a job; returns its envelope (cancelled, or the final one it had)."""
        return self._request("DELETE", "/v1/jobs/" + urllib.parse.quote(job_id, safe=""))[1]

    def call(self, tool, input=None, **options):
        """Submit and wait in one request (POST /v1/tools/{name}:call), polling on if it outlives the server's bound."""
        body = {"input": input or {}}
        body.update({k: v for k, v in options.items() if v is not None})
        status, env = self._request("POST", "/v1/tools/%s:call" % urllib.parse.quote(tool, safe=""), body,
                                    {"Idempotency-Key": str(uuid.uuid4())})
        return env if status == 200 else self.wait(env["id"])


def main(argv):
    if len(argv) not in (2, 3) or argv[1].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    url = os.environ.get("TOOLQ_GATEWAY_URL", "http://127.0.0.1:8080")
    token = os.environ.get("TOOLQ_TOKEN")
    if not token:
        print("toolq_client: set TOOLQ_TOKEN to your gateway token", file=sys.stderr)
        return 2
    tool = argv[1]
    payload = json.loads(argv[2]) if len(argv) == 3 else {}
    client = ToolqClient(url, token)
    try:
        env = client.submit(tool, payload)
        print("submitted %s (%s)" % (env["id"], env["state"]), file=sys.stderr)
        env = client.wait(env["id"])
    except ToolqError as e:
        print(json.dumps({"error": e.code, "message": e.message, "details": e.details}, indent=2))
        return 2
    print(json.dumps(env, indent=2))
    return 0 if env["state"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
