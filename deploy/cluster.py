"""Several replicas of the app behind HAProxy, for a class larger than one server holds.

    python deploy/cluster.py up [--replicas 2] [--port 8500]
    python deploy/cluster.py config --server a=10.0.0.11:8501 --server b=10.0.0.12:8501 [--port 80]

``up`` starts N Streamlit replicas on this machine's loopback (ports 8601, 8602, …) and
HAProxy in front of them on ``--address:--port``, then waits until Ctrl-C and stops them
all. ``config`` prints HAProxy's configuration for replicas on other machines (README,
"Hosting a class"). Both fill in ``deploy/haproxy.cfg.in``.

Every replica gets the same ``server.cookieSecret``, generated here at start-up and
never written to disk: a browser's cookies, signed by one replica, must hold on another.
Each knows its own name (``FFN_REPLICA``), which HAProxy's cookie names too.
"""
import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg.in"
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def config(servers, port=8500, address="127.0.0.1", tls=None, iframe=False):
    """HAProxy's configuration for ``servers``, a list of (name, host, port).

    ``tls`` is the path of a PEM file (certificate then key) to serve HTTPS with;
    ``iframe`` makes the balancer's cookie fit for a page embedded in another site's
    iframe (``SameSite=None; Partitioned``), which browsers accept only over HTTPS.
    Raises ``ValueError`` for a name HAProxy's cookie cannot carry, a port out of range,
    or ``iframe`` without ``tls``.
    """
    if not servers:
        raise ValueError("config needs at least one server")
    if iframe and not tls:
        raise ValueError("an iframe on another site needs HTTPS: "
                         "iframe=True needs a tls certificate, got none")
    for name, host, p in servers:
        if not NAME.fullmatch(name):
            raise ValueError(f"a replica's name is a lowercase letter then up to 31 of a-z 0-9 _ -, "
                             f"got {name!r}")
        if not 0 < int(p) < 65536 or not host or any(c.isspace() for c in host):
            raise ValueError(f"replica {name}: expected a host and a port 1-65535, got {host!r}:{p!r}")
    servers_ = "\n".join(f"    server {n} {h}:{p} cookie {n} check" for n, h, p in servers)
    # the backends that follow another's health checks (by cookie, and the probes')
    tracking = "\n".join(f"    server {n} {h}:{p} track replicas/{n}" for n, h, p in servers)
    use = "\n".join(f"    use-server {n} if {{ req.cook(ffn_replica) -m str {n} }}" for n, _h, _p in servers)
    bind = f"bind {address}:{int(port)}" + (f" ssl crt {tls}" if tls else "")
    cookie = "cookie ffn_replica insert nocache httponly" + (" secure" if tls else "")
    cookie += ' attr "SameSite=None" attr "Partitioned"' if iframe else ""
    return Template(TEMPLATE.read_text()).substitute(bind=bind, cookie=cookie, servers=servers_,
                                                     tracking_servers=tracking, use_servers=use)


def _healthy(url):
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


class Cluster:
    """N replicas of the app and HAProxy in front of them, all on this machine.

    Use as a context manager (``with Cluster(2) as c: c.url``), or ``start()``/``stop()``.
    ``prefix`` goes before each replica's command (``taskset -c 0`` in the benches), ``env``
    into each replica's environment. Unless ``env`` or the environment sets
    ``FFN_TRAINING_WORKERS``, the replicas share the machine's cores minus one between
    their training pools (at least one worker each). Logs go to ``log_dir``: ``haproxy.log`` (one line
    per request, with the replica that served it) and ``<name>.log`` for each replica.
    """

    def __init__(self, replicas=2, port=8500, first_port=8601, address="127.0.0.1", prefix=(), env=None,
                 log_dir=None, app=ROOT):
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.names = [f"r{i + 1}" for i in range(replicas)]
        self.ports = {n: first_port + i for i, n in enumerate(self.names)}
        self.port, self.address, self.app = port, address, Path(app)
        self.prefix, self.env = list(prefix), env or {}
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="ffn-cluster-"))
        self.url = f"http://{'127.0.0.1' if address in ('0.0.0.0', '') else address}:{port}"
        self.procs = {}  # name -> Popen, and "haproxy"

    def replica_url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, timeout=90):
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise RuntimeError("HAProxy is not installed: apt-get install haproxy")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(32)  # the same on every replica; never on disk
        try:
            for name in self.names:
                self.procs[name] = self._replica(name, secret)
            # HAProxy once every replica answers: its servers start as up, whereas one found down
            # at start stays down for two checks, and a cookie naming it is rewritten meanwhile
            self._wait([self.replica_url(n) for n in self.names], timeout)
            cfg = self.log_dir / "haproxy.cfg"
            servers = [(n, "127.0.0.1", p) for n, p in self.ports.items()]
            cfg.write_text(config(servers, self.port, self.address))
            subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], check=True)
            with open(self.log_dir / "haproxy.log", "wb") as log:
                self.procs["haproxy"] = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=log,
                                                         stderr=subprocess.STDOUT)
            self._wait([self.url], timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _replica(self, name, secret):
        cmd = [*self.prefix, sys.executable, "-m", "streamlit", "run", str(self.app / "app.py"),
               "--server.headless", "true", "--server.port", str(self.ports[name]),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        env = {**os.environ, **self.env, "FFN_REPLICA": name, "STREAMLIT_SERVER_COOKIE_SECRET": secret}
        # the machine's cores shared out: each replica's training pool would take all but one
        workers = max(1, (len(os.sched_getaffinity(0)) - 1) // len(self.names))
        env.setdefault("FFN_TRAINING_WORKERS", str(workers))
        with open(self.log_dir / f"{name}.log", "wb") as log:
            return subprocess.Popen(cmd, cwd=self.app, stdout=log, stderr=subprocess.STDOUT, env=env)

    def _wait(self, urls, timeout):
        deadline = time.monotonic() + timeout
        for url in urls:
            while not _healthy(url):
                dead = [n for n, p in self.procs.items() if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    logs = "\n".join(f"--- {f.name}\n{f.read_text(errors='replace')[-3000:]}"
                                     for f in sorted(self.log_dir.glob("*.log")))
                    why = ", ".join(dead) or "timed out"
                    raise RuntimeError(f"the cluster did not start ({why}):\n{logs}")
                time.sleep(0.1)

    def kill(self, name):
        """Kill replica ``name`` at once (SIGKILL), as a crash would; its workers follow."""
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _server(text):
    name, sep, where = text.partition("=")
    host, sep2, port = where.rpartition(":")
    if not (sep and sep2 and port.isdigit()):
        raise argparse.ArgumentTypeError(f"expected name=host:port, got {text!r}")
    return name, host, int(port)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="replicas on this machine and HAProxy in front of them")
    up.add_argument("--replicas", type=int, default=2)
    up.add_argument("--port", type=int, default=8500, help="the balancer's port, the one the class opens")
    up.add_argument("--address", default="127.0.0.1",
                    help="the balancer's address (0.0.0.0: every interface)")
    up.add_argument("--first-port", type=int, default=8601, help="the first replica's port on loopback")
    up.add_argument("--log-dir", type=Path)
    cfg = sub.add_parser("config", help="print HAProxy's configuration for replicas on other machines")
    cfg.add_argument("--server", type=_server, action="append", required=True, metavar="NAME=HOST:PORT")
    cfg.add_argument("--port", type=int, default=80)
    cfg.add_argument("--address", default="0.0.0.0")
    cfg.add_argument("--tls", metavar="PEM", help="serve HTTPS with this certificate and key (one PEM file)")
    cfg.add_argument("--iframe", action="store_true",
                     help="the page is embedded in another site's iframe (a school's learning platform)")
    args = ap.parse_args(argv)
    if args.command == "config":
        try:
            sys.stdout.write(config(args.server, args.port, args.address, args.tls, args.iframe))
        except ValueError as e:
            ap.error(str(e))
        return
    cluster = Cluster(args.replicas, args.port, args.first_port, args.address, log_dir=args.log_dir)
    for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell starts background jobs ignoring it
        signal.signal(sig, lambda *_: sys.exit(0))
    with cluster:
        sys.stdout.write(f"{args.replicas} replicas behind HAProxy: open {cluster.url}\n"
                         f"logs in {cluster.log_dir}; Ctrl-C stops them all\n")
        sys.stdout.flush()
        _watch(cluster)


def _watch(cluster):
    """Until HAProxy or every replica stops. A replica that dies is reported and left down:
    HAProxy sends its students to the others, and the page tells them their run was lost."""
    down = set()
    while cluster.procs["haproxy"].poll() is None and len(down) < len(cluster.names):
        for name in cluster.names:
            if name not in down and cluster.procs[name].poll() is not None:
                down.add(name)
                sys.stdout.write(f"replica {name} stopped (see {cluster.log_dir / name}.log); "
                                 "its students are moved to the others\n")
                sys.stdout.flush()
        time.sleep(1)


if __name__ == "__main__":
    main()
