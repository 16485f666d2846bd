"""A load-generating process for bench.api: HTTP clients as threads, no Django.

Kept apart from the server and from the benchmark's own process so that the clients' Python
work never shares an interpreter lock with the requests they time. Reads one job a line
(JSON) on stdin and answers one line on stdout:

    job:    {"port", "host", "start_at" (epoch s), "clients": [[request, …], …]}
            request: [method, path, body or null, headers, offset s or null]
    answer: {"times": [[ms, status], …], "ended_at": epoch s, "errors": ["…", …]}

A request with an offset is sent no earlier than start_at + offset and timed from that
moment, so a client that fell behind counts the wait too (an open loop); without one it
goes as soon as the client's previous answer is in (a closed loop).
"""
import http.client
import json
import sys
import threading
import time


def _send(port: int, host: str, request: list) -> tuple[int, bytes]:
    method, path, body, headers, _offset = request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Host": host, "Content-Type": "application/json", **headers})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def run_job(job: dict) -> dict:
    times: list[list[float]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(requests: list) -> None:
        mine = []
        for request in requests:
            offset = request[4]
            due = job["start_at"] + (offset or 0.0)
            time.sleep(max(0.0, due - time.time()))
            start = due if offset is not None else time.time()
            try:
                status, content = _send(job["port"], job["host"], request)
            except OSError as error:
                status, content = 599, repr(error).encode()
            mine.append([(time.time() - start) * 1000, status])
            if status >= 300:
                with lock:
                    errors.append(f"{request[0]} {request[1]} {status} {content[:200]!r}")
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(requests,)) for requests in job["clients"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"times": times, "ended_at": time.time(), "errors": errors[:5]}


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run_job(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
