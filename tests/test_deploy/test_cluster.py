"""Two replicas behind HAProxy (deploy/cluster.py), end to end in headless Chromium: a
session sticks to its replica, trains, draws and uploads through the balancer; when one
replica is killed, the other's sessions go on, a new visitor is served, and the moved
students see that their run was lost, with their settings kept."""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SEVEN, draw, free_port, prediction
from deploy.cluster import Cluster, config

LINE = re.compile(r"^(\d+)\.(\d+) \S+ ffn_digits (\S+)/(\S+) (\d+) (\S+) (\S+) cookie=(\S+)$")
MOVED = "The server restarted: your run was lost"
SESSION_BACKENDS = ("replicas", "by_cookie")  # HAProxy's backends that follow the cookie (not the probes')
TRAINING = re.compile(r"iteration [\d,]+ / [\d,]+")  # the progress bar's text, not the sidebar's "Iterations"


def test_config_lists_each_server_twice_and_refuses_bad_names():
    cfg = config([("a", "10.0.0.11", 8501), ("b", "10.0.0.12", 8501)], port=80, address="0.0.0.0")
    assert "bind 0.0.0.0:80" in cfg
    assert (
        "server a 10.0.0.11:8501 cookie a check" in cfg and "server b 10.0.0.12:8501 track replicas/b" in cfg
    )
    assert "${" not in cfg
    for bad in [("A", "h", 1), ("a b", "h", 1), ("a", "h", 0), ("a", "", 1), ("a", "h x", 1)]:
        with pytest.raises(ValueError, match="got"):
            config([bad])


def test_config_over_https_and_in_an_iframe_is_valid_for_haproxy(tmp_path):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("no haproxy")
    pem = tmp_path / "site.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(tmp_path / "k"),
            "-out",
            str(tmp_path / "c"),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    pem.write_bytes((tmp_path / "c").read_bytes() + (tmp_path / "k").read_bytes())
    cfg = config([("a", "127.0.0.1", 8501)], port=8443, tls=pem, iframe=True)
    assert f"bind 127.0.0.1:8443 ssl crt {pem}" in cfg
    assert 'secure attr "SameSite=None" attr "Partitioned"' in cfg
    (tmp_path / "h.cfg").write_text(cfg)
    subprocess.run([haproxy, "-c", "-q", "-f", str(tmp_path / "h.cfg")], check=True)
    with pytest.raises(ValueError, match="HTTPS"):
        config([("a", "h", 1)], iframe=True)


def _free_pair():
    for _ in range(50):
        base = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", base + 1))
                return base
            except OSError:
                continue
    raise RuntimeError("no two free ports in a row")


def served(log_dir, since=0.0):
    """(backend, replica, status, path, cookie) of each request HAProxy logged, of those it
    accepted from ``since`` (a ``time.time()``) on."""
    out = []
    for line in (Path(log_dir) / "haproxy.log").read_text(errors="replace").splitlines():
        m = LINE.match(line)
        if m and int(m[1]) + int(m[2]) / 1000 >= since:
            out.append((m[3], m[4], m[5], m[7], m[8].removeprefix("ffn_replica=")))
    return out


def children(pid):
    """Pids of the processes whose parent is ``pid`` (a replica's training workers)."""
    out = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
        except OSError:
            continue
    return out


def replica_of(context):
    return next((c["value"] for c in context.cookies() if c["name"] == "ffn_replica"), None)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists():
        if os.environ.get("CI"):
            raise RuntimeError("haproxy is missing: .ci/run must install Debian's haproxy")
        pytest.skip("no haproxy (apt-get install haproxy)")
    with Cluster(
        2,
        port=free_port(),
        first_port=_free_pair(),
        env={"FFN_TRAINING_WORKERS": "1"},
        log_dir=tmp_path_factory.mktemp("cluster"),
    ) as c:
        yield c


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM}")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url, cookie=None, ready="Hyperparameters"):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    if cookie:
        context.add_cookies([{"name": "ffn_replica", "value": cookie, "url": url}])
    page = context.new_page()
    page.goto(url)
    page.get_by_text(ready, exact=True).wait_for(timeout=60000)  # the sidebar's header
    return context, page


def _tab(page, name):
    page.locator(".st-key-tab").get_by_role("radio", name=name).click()


def _train(page, until="Test accuracy (10,000 images)"):
    _tab(page, "Train")
    page.locator(".st-key-panels").get_by_role("button", name="Start").click()
    page.get_by_text(until).first.wait_for(timeout=180000)


def _draw_seven(page):
    _tab(page, "Draw")
    page.get_by_text("The canvas is empty").wait_for(timeout=30000)
    draw(page, SEVEN)
    assert prediction(page, timeout=30000) == "7"


def _upload(page):
    """Upload the bundled model on the Draw tab. A file handed to an uploader that a rerun is
    just replacing is dropped by the page, as a hand would see: it is picked again, up to
    three times."""
    _tab(page, "Draw")
    dropzone = page.locator(".st-key-panels [data-testid='stFileUploaderDropzone']")
    uploaded = page.locator(".st-key-panels").get_by_text("Uploaded").first
    for _attempt in range(3):
        dropzone.wait_for(timeout=30000)
        page.locator(".st-key-panels input[type=file]").set_input_files(str(ROOT / "weights" / "model.npz"))
        try:
            uploaded.wait_for(timeout=15000)
            break
        except Exception:  # noqa: BLE001 - picked again below
            continue
    uploaded.wait_for(timeout=1000)
    assert not page.get_by_text("That file can't be used").count()


def test_two_replicas_behind_haproxy(cluster, browser, tmp_path):
    # A new visitor gets a replica by cookie, and every request of its session goes there.
    a_ctx, a = _open(browser, cluster.url + "?preset=fast")
    home = replica_of(a_ctx)
    assert home in cluster.names
    _train(a)
    _draw_seven(a)
    _upload(a)
    a_requests = [r for r in served(cluster.log_dir) if r[0] in SESSION_BACKENDS]
    assert a_requests and {r[1] for r in a_requests} == {home}
    assert all(r[2] in ("101", "200", "204", "304") for r in a_requests), a_requests

    # A second student on the other replica, mid-run, with a lesson's settings in the link.
    other = next(n for n in cluster.names if n != home)
    b_ctx, b = _open(browser, cluster.url + "?seed=7&note=Lesson+3", cookie=other)
    _train(b, until=TRAINING)
    assert replica_of(b_ctx) == other
    # ...and a third on that replica who is only looking: no script runs on their page when
    # it reconnects, but for the page's timer (ui.replica.watch).
    d_ctx, d = _open(browser, cluster.url + "?lang=zh", cookie=other, ready="超参数")
    d.locator(".st-key-panels").get_by_role("button", name="开始").wait_for(timeout=60000)
    d.wait_for_timeout(2000)  # their page drawn, and they read it
    assert {r[1] for r in served(cluster.log_dir) if r[0] in SESSION_BACKENDS and r[4] == other} == {other}

    workers = children(cluster.procs[other].pid)
    assert workers, "a replica trains in worker processes"
    cluster.kill(other)
    killed_at = time.time()

    # The moved student is told, on the live replica, and keeps the link's settings.
    b.get_by_text(MOVED).wait_for(timeout=90000)
    assert replica_of(b_ctx) == home  # the balancer's cookie now names the live replica
    assert b.get_by_text("Lesson 3").count()
    assert "seed=7" in b.url
    b.screenshot(path=str(tmp_path / "moved.png"))
    b.locator(".st-key-replica_moved").get_by_role("button", name="OK").click()
    b.get_by_text(MOVED).wait_for(state="detached", timeout=30000)
    _upload(b)  # its upload lands on the live replica, with cookies the dead one set
    d.get_by_text("服务器重启了").wait_for(timeout=90000)  # in the page's language
    assert replica_of(d_ctx) == home
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "the dead replica's workers live on"

    # The live replica's session goes on as before: its run, a new drawing, no notice.
    assert not a.get_by_text(MOVED).count()
    _tab(a, "Train")
    a.get_by_text("Test accuracy (10,000 images)").first.wait_for(timeout=30000)
    _tab(a, "Draw")
    a.locator(".st-key-panels").get_by_role("button", name="Clear").click()
    a.get_by_text("The canvas is empty").wait_for(timeout=30000)
    a.wait_for_timeout(500)
    draw(a, SEVEN)
    assert prediction(a, timeout=30000) == "7"

    # A new visitor is served by the live replica, and is not told of a restart. Their link
    # is one for a school platform's iframe: Streamlit's embed=true is no setting of the app's.
    c_ctx, c = _open(browser, cluster.url + "?embed=true&preset=fast")
    assert replica_of(c_ctx) == home
    _train(c, until=TRAINING)
    assert not c.get_by_text(MOVED).count()
    assert "embed=true" in c.url and "preset=fast" in c.url
    assert not c.get_by_text("Some parts of the link were not used").count()

    after = served(cluster.log_dir, since=killed_at)
    assert {r[1] for r in after if r[0] in SESSION_BACKENDS} == {home}, [r for r in after if r[1] != home]
    assert not [r for r in after if r[2].startswith("5")], "a request failed after the kill"
    for ctx in (a_ctx, b_ctx, c_ctx, d_ctx):
        ctx.close()
