#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Client of a served sampler graph over the Open Inference Protocol (KServe v2 REST, the
binary tensor extension): what the denoiser blocks use in place of a local model
(standard library + NumPy; no GNU Radio).

The served model is an exported sampler graph (:mod:`diffusion.core.sampler_graph`,
``gr-diffusion-model export-sampler``) under any v2 server: Triton (onnxruntime backend),
PyTriton, KServe, MLServer. Endpoints used: ``GET /v2/health/ready``, ``GET
/v2/models/{name}`` (metadata: the I/O names, types and shapes) and ``POST
/v2/models/{name}/infer`` with binary tensors (header ``Inference-Header-Content-Length``).

:class:`RemoteSampler`
  - construction: the server must be ready within ``timeout`` s, else ConnectionError naming
    the URL; the model's metadata and a 3-row probe (which returns the schedule ``abar`` and
    ``sampler`` = [mode, steps, window_length] the graph was built with) must match what the
    caller expects (``expect``), else ValueError saying what differs;
  - :meth:`RemoteSampler.run`: rows cut into requests of at most ``batch_size`` symbols,
    ``in_flight`` (1 or 2) requests outstanding on their own keep-alive connections, each with
    the socket timeout ``timeout`` and ``retries`` retries; it never raises for the server: rows
    whose request failed come back marked not served, the sampler goes *down* (logged once)
    and, while down, asks ``/v2/health/ready`` at most every ``reconnect_interval`` s
    instead of sending data (no timeout is paid per batch during an outage); once ready again
    (and the probe still matches) it is *up* and says so.
"""

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import numpy as np

from .sampler_graph import SAMPLER_MODES
from .schedules import Schedule

TAG_GAP = "remote_gap"  # first sample a block handles without the server
TAG_RESUMED = "remote_resumed"  # first sample the server denoises again (value: gap length)
POLICY_FALLBACK = "local_fallback"  # TAG_GAP value: the block's local model denoises the gap
POLICY_PASSTHROUGH = "passthrough"  # TAG_GAP value: no local model, the gap is not denoised
_DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}
MAX_IN_FLIGHT = 2


class ServerError(RuntimeError):
    """The server did not answer (refused, timed out, closed) or answered an error."""


def parse_url(url):
    """'http://host:port[/]' -> (host, port). Only plain HTTP."""
    u = urlsplit(str(url).strip())
    if u.scheme != "http" or not u.hostname or u.path not in ("", "/"):
        raise ValueError(f"server_url must be http://host:port, got {url!r}")
    return u.hostname, u.port or 80


class OipConnection:
    """One keep-alive HTTP/1.1 connection to a v2 server; every call bounded by ``timeout``
    (seconds, per socket operation) and reconnecting after any failure."""

    def __init__(self, url, timeout):
        self.url = str(url).rstrip("/")
        self.host, self.port = parse_url(url)
        self.timeout = float(timeout)
        self._conn = None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method, path, body=None, headers=None):
        # a kept-alive socket the server closed (restarted, idle timeout) fails at once:
        # one more try on a fresh connection before calling the server gone
        for fresh in (self._conn is None, True):
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=self.timeout
                    )
                self._conn.request(method, path, body=body, headers=headers or {})
                r = self._conn.getresponse()
                data = r.read()
                break
            except Exception as e:  # noqa: BLE001 (OSError, HTTPException, half-closed socket)
                self.close()
                if fresh or isinstance(e, TimeoutError):
                    raise ServerError(f"{self.url}{path}: {type(e).__name__}: {e}") from e
        if r.status != 200:
            msg = data[:300].decode("utf-8", "replace")
            raise ServerError(f"{self.url}{path}: HTTP {r.status}: {msg}")
        return r, data

    def ready(self):
        try:
            self._request("GET", "/v2/health/ready")
            return True
        except ServerError:
            return False

    def get_json(self, path):
        _, data = self._request("GET", path)
        try:
            return json.loads(data)
        except ValueError as e:
            raise ServerError(f"{self.url}{path}: not JSON ({e})") from e

    def infer(self, model, inputs, outputs):
        """inputs: {name: ndarray}; outputs: names -> {name: ndarray} (binary extension)."""
        blobs, specs = [], []
        for name, arr in inputs.items():
            a = np.ascontiguousarray(arr)
            b = a.tobytes()
            specs.append(
                {
                    "name": name,
                    "shape": list(a.shape),
                    "datatype": _NAMES[a.dtype],
                    "parameters": {"binary_data_size": len(b)},
                }
            )
            blobs.append(b)
        head = json.dumps(
            {
                "inputs": specs,
                "outputs": [{"name": n, "parameters": {"binary_data": True}} for n in outputs],
            }
        ).encode()
        path = f"/v2/models/{model}/infer"
        r, data = self._request(
            "POST",
            path,
            body=b"".join([head, *blobs]),
            headers={
                "Content-Type": "application/octet-stream",
                "Inference-Header-Content-Length": str(len(head)),
            },
        )
        hlen = r.getheader("Inference-Header-Content-Length")
        try:
            hlen = int(hlen) if hlen is not None else len(data)
            reply = json.loads(data[:hlen])
            out, pos = {}, hlen
            for o in reply["outputs"]:
                dt = np.dtype(_DTYPES[o["datatype"]])
                size = (o.get("parameters") or {}).get("binary_data_size")
                if size is not None:
                    arr = np.frombuffer(data[pos : pos + size], dtype=dt)
                    pos += size
                else:
                    arr = np.asarray(o["data"], dtype=dt)
                out[o["name"]] = arr.reshape(o["shape"])
        except (KeyError, ValueError, TypeError) as e:
            raise ServerError(f"{self.url}{path}: malformed reply ({e})") from e
        missing = [n for n in outputs if n not in out]
        if missing:
            raise ServerError(f"{self.url}{path}: reply lacks output(s) {missing}")
        return out


def _shape_ok(shape, want):
    """Declared v2 shape (-1 dynamic) against want (None = any size)."""
    if shape is None or len(shape) != len(want):
        return False
    return all(w is None or d in (w, -1) for d, w in zip(shape, want))


class RemoteSampler:
    """A served sampler graph (module doc). ``expect``: dict with optional ``abar`` (float64
    [T]: the schedule), ``window_length``, ``mode`` ('tweedie' | 'ddim') and ``steps`` the
    caller needs; anything the server reports differently is a ValueError at construction.
    ``log``: callable(level, message) with level 'info' | 'warn' | 'error' (default: none).
    Attributes after construction: schedule (from the served ``abar``), T, window_length,
    mode, steps, up (bool)."""

    def __init__(
        self,
        url,
        model_name,
        timeout=2.0,
        retries=1,
        in_flight=2,
        batch_size=8192,
        expect=None,
        reconnect_interval=1.0,
        log=None,
    ):
        if not str(model_name).strip():
            raise ValueError("served_model (the served model's name) must not be empty")
        if not float(timeout) > 0:
            raise ValueError(f"request_timeout must be > 0 s, got {timeout}")
        if not 0 <= int(retries) <= 10:
            raise ValueError(f"retries must be in [0, 10], got {retries}")
        if not 1 <= int(in_flight) <= MAX_IN_FLIGHT:
            raise ValueError(f"in_flight must be 1 or {MAX_IN_FLIGHT}, got {in_flight}")
        self.url = str(url).strip().rstrip("/")
        parse_url(self.url)
        self.model_name = str(model_name).strip()
        self.timeout, self.retries = float(timeout), int(retries)
        self.in_flight, self.batch_size = int(in_flight), max(1, int(batch_size))
        self.reconnect_interval = float(reconnect_interval)
        self._log = log or (lambda level, msg: None)
        self._expect = dict(expect or {})
        self._conns = [OipConnection(self.url, self.timeout) for _ in range(self.in_flight)]
        self._control = OipConnection(self.url, self.timeout)  # health / metadata / probe
        self._free = queue.Queue()
        for c in self._conns:
            self._free.put(c)
        self._pool = ThreadPoolExecutor(self.in_flight, thread_name_prefix="oip")
        self._lock = threading.Lock()
        self.up = True
        self._next_try = 0.0
        self.failures = 0  # requests that failed after their retries
        where = f"inference server {self.url}"
        c = self._control
        if not c.ready():
            raise ConnectionError(
                f"{where} is not reachable or not ready (GET /v2/health/ready within "
                f"{self.timeout:g} s); start it, or clear server_url to run the local model"
            )
        self._check(c)
        # a caller without a schedule of its own runs the one served now: a server that comes
        # back serving another schedule or window is refused like a mismatch at construction
        self._expect.setdefault("abar", self.schedule.abar)
        self._expect.setdefault("window_length", self.window_length)

    # ------------------------------------------------------------------ the contract
    def _check(self, conn):
        """Metadata + probe check (construction and every reconnection)."""
        where = f"served model '{self.model_name}' at {self.url}"
        try:
            meta = conn.get_json(f"/v2/models/{self.model_name}")
        except ServerError as e:
            raise ValueError(f"{where}: no metadata ({e})") from e
        ins = {t.get("name"): t for t in meta.get("inputs", [])}
        outs = {t.get("name"): t for t in meta.get("outputs", [])}
        y = ins.get("y")
        if set(ins) != {"y", "sigma2"} or not {"x0", "abar", "sampler"} <= set(outs):
            raise ValueError(
                f"{where}: not a gr-diffusion sampler graph (inputs {sorted(ins)}, outputs "
                f"{sorted(outs)}; want inputs y, sigma2 and outputs x0, abar, sampler: "
                "gr-diffusion-model export-sampler)"
            )
        yshape = y.get("shape")
        W = yshape[1] if yshape and len(yshape) == 3 else 1
        for name, spec, dt, want in (
            ("input 'y'", y, "FP32", [None, W, 2] if len(yshape or []) == 3 else [None, 2]),
            ("input 'sigma2'", ins["sigma2"], "FP64", [None]),
            ("output 'x0'", outs["x0"], "FP32", [None, W, 2] if W > 1 else [None, 2]),
        ):
            if spec.get("datatype") != dt or not _shape_ok(spec.get("shape"), want):
                raise ValueError(
                    f"{where}: {name} is {spec.get('datatype')} {spec.get('shape')}, the "
                    f"sampler contract wants {dt} {['-1' if w is None else w for w in want]}"
                )
        if not isinstance(W, int) or W < 1:
            raise ValueError(f"{where}: input 'y' has no fixed window dimension ({yshape})")
        probe_y = np.zeros((3, W, 2) if W > 1 else (3, 2), dtype=np.float32)
        probe_y[..., 0] = 0.5
        try:
            got = conn.infer(
                self.model_name,
                {"y": probe_y, "sigma2": np.array([0.1, 1.0, 10.0])},
                ["x0", "abar", "sampler"],
            )
        except ServerError as e:
            raise ValueError(f"{where}: the 3-row probe failed ({e})") from e
        abar = np.asarray(got["abar"], dtype=np.float64).reshape(-1)
        info = np.asarray(got["sampler"]).reshape(-1)
        x0 = got["x0"]
        if info.size != 3 or not 0 <= int(info[0]) < len(SAMPLER_MODES):
            raise ValueError(f"{where}: output 'sampler' {info.tolist()} is not [mode, steps, W]")
        mode, steps, w_info = SAMPLER_MODES[int(info[0])], int(info[1]), int(info[2])
        if x0.shape != probe_y.shape or not np.all(np.isfinite(x0)) or w_info != W:
            raise ValueError(f"{where}: the probe's x0 has shape {x0.shape}, want {probe_y.shape}")
        ex = self._expect
        if "abar" in ex:
            want = np.asarray(ex["abar"], dtype=np.float64)
            if want.shape != abar.shape or not np.allclose(abar, want, rtol=1e-12, atol=0):
                raise ValueError(
                    f"{where}: schedule differs from the local model's (T {abar.size} vs "
                    f"{want.size}, max |abar difference| "
                    f"{np.max(np.abs(abar - want)) if want.shape == abar.shape else 'n/a'})"
                )
        for key, have in (("window_length", W), ("mode", mode), ("steps", steps)):
            if key in ex and ex[key] is not None and ex[key] != have:
                raise ValueError(f"{where}: serves {key} {have!r}, the block expects {ex[key]!r}")
        self.schedule = Schedule.from_abar(f"served:{self.model_name}", abar)
        self.T, self.window_length, self.mode, self.steps = abar.size, W, mode, steps

    # ------------------------------------------------------------------ inference
    def _one(self, y, s2):
        """One request on a connection of its own (a pool of in_flight), with retries."""
        if not self.up:  # an earlier request of this run() failed: do not pay its timeout
            raise ServerError("skipped: the server is down")
        conn = self._free.get()
        try:
            last = None
            for _ in range(self.retries + 1):
                try:
                    return conn.infer(self.model_name, {"y": y, "sigma2": s2}, ["x0"])["x0"]
                except ServerError as e:
                    last = e
            raise last
        finally:
            self._free.put(conn)

    def _try_reconnect(self):
        now = time.monotonic()
        if now < self._next_try:
            return False
        self._next_try = now + self.reconnect_interval
        c = self._control
        if not c.ready():
            return False
        try:
            self._check(c)
        except ValueError as e:
            self._log("error", f"{self.url} is back but refused: {e}")
            return False
        self.up = True
        self._log("info", f"inference server {self.url} is back: remote inference resumed")
        return True

    def run(self, y, sigma2):
        """x0 for rows y (float32 [N, 2], or [N, W, 2]) and sigma2 float64 [N] (one per row).
        Returns (x0 float32 like y, served bool [N]); rows not served are zero."""
        y = np.ascontiguousarray(y, dtype=np.float32)
        s2 = np.ascontiguousarray(sigma2, dtype=np.float64).reshape(-1)
        n = y.shape[0]
        out = np.zeros_like(y)
        served = np.zeros(n, dtype=bool)
        if n == 0:
            return out, served
        with self._lock:
            if not self.up and not self._try_reconnect():
                return out, served
            rows = max(1, self.batch_size // max(1, self.window_length))
            spans = [(a, min(n, a + rows)) for a in range(0, n, rows)]
            futs = [(a, b, self._pool.submit(self._one, y[a:b], s2[a:b])) for a, b in spans]
            bound = self.timeout * 2 * (self.retries + 1) + 1.0  # connect + read per try
            for a, b, f in futs:  # every future is waited for (bounded): no request outlives run()
                try:
                    res = f.result(timeout=bound)
                except TimeoutError:
                    res = None
                    self._went_down(f"no reply within {bound:g} s")
                except Exception as e:  # noqa: BLE001 (ServerError; never the block's crash)
                    res = None
                    self._went_down(e)
                if res is not None and res.shape == y[a:b].shape:
                    out[a:b] = res
                    served[a:b] = True
                elif res is not None:
                    self._went_down(f"reply of shape {res.shape} for {y[a:b].shape}")
        return out, served

    def _went_down(self, why):
        self.failures += 1
        if self.up:
            self.up = False
            self._next_try = time.monotonic() + self.reconnect_interval
            self._log(
                "error",
                f"inference server {self.url} failed ({why}); retrying every "
                f"{self.reconnect_interval:g} s",
            )

    def disconnect(self):
        """Close the connections (opened again by the next request)."""
        for c in [*self._conns, self._control]:
            c.close()

    def close(self):
        self._pool.shutdown(wait=False, cancel_futures=True)
        for c in [*self._conns, self._control]:
            c.close()


class ServedModel:
    """What a block knows of a served sampler when it has no local model: the schedule
    (``abar`` output), T and window_length; no constellation (so no blind noise estimate and
    no input check), no network (``predict_eps`` raises: there is nothing to run locally)."""

    def __init__(self, remote):
        self.remote = remote
        self.path = f"{remote.url}/v2/models/{remote.model_name}"
        self.schedule = remote.schedule
        self.T = remote.T
        self.window_length = remote.window_length
        self.constellation = None
        self.metadata = {}

    def predict_eps(self, x, t):
        raise RuntimeError(f"{self.path}: a served sampler has no local network")


# ---------------------------------------------------------------------- a local server
SERVER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oip_server.py")


def free_port():
    """A TCP port free on 127.0.0.1 right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_python(root):
    """The inference server's interpreter: $GR_DIFFUSION_SERVE_PYTHON, else
    <root>/.venv-serve/bin/python (scripts/install.sh)."""
    return os.environ.get("GR_DIFFUSION_SERVE_PYTHON") or os.path.join(
        root, ".venv-serve", "bin", "python"
    )


class LocalServer:
    """A Triton (PyTriton, :mod:`diffusion.core.oip_server`) on 127.0.0.1 serving sampler
    graphs: ``models`` {name: path.onnx}. Starts at construction (waits for "ready" up to
    ``start_timeout`` s, else RuntimeError with the server's log), stops by itself after
    ``lifetime`` s; :meth:`stop` ends it (SIGTERM, then SIGKILL), :meth:`kill` crashes it
    (SIGKILL to its whole process group: a server that vanishes). A context manager."""

    def __init__(
        self,
        models,
        python,
        port=None,
        lifetime=600.0,
        threads=1,
        instances=1,
        start_timeout=120.0,
        log_path=None,
    ):
        if not os.path.isfile(python):
            raise FileNotFoundError(
                f"{python}: no inference-server interpreter (scripts/install.sh makes "
                ".venv-serve; or set GR_DIFFUSION_SERVE_PYTHON)"
            )
        self.port = int(port or free_port())
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            python,
            SERVER_SCRIPT,
            "--port",
            str(self.port),
            "--lifetime",
            str(lifetime),
            "--threads",
            str(threads),
            "--instances",
            str(instances),
        ]
        for name, path in models.items():
            cmd += ["--model", f"{name}={os.fspath(path)}"]
        self._log_path = log_path or os.path.join(
            tempfile.gettempdir(), f"gr_diffusion_oip_{self.port}_{os.getpid()}.log"
        )
        self._log = open(self._log_path, "wb")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # the server venv must not see the project's packages
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self._log, start_new_session=True, env=env
        )
        ready = threading.Event()

        def watch():
            for line in self.proc.stdout:
                if line.startswith(b"ready"):
                    ready.set()

        threading.Thread(target=watch, daemon=True).start()
        deadline = time.monotonic() + float(start_timeout)
        while not ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(
                    f"inference server on port {self.port} did not start:\n" + self.log_tail()
                )

    def log_tail(self, n=2000):
        try:
            with open(self._log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self):
        """SIGKILL the server and everything it started (Triton, its stubs)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
