"""A student without a browser: one session of the app driven over Streamlit's own websocket,
doing what a browser does by itself, for ``bench.virtual_class``.

A browser loads the page (which sets Streamlit's XSRF cookie, and HAProxy's ``ffn_replica``
behind the balancer), opens ``/_stcore/stream`` with those cookies, and sends a
``BackMsg.rerun_script`` with the address's query string, the locale and the widgets' values;
the server answers with ``ForwardMsg`` s: the page's elements as deltas, timers for fragments
(``auto_rerun``), and ``script_finished`` when a run ends; it loads each image an element
shows from its ``/media`` address while the run goes on. :class:`Student` does the same with
the ``streamlit.proto`` messages the server itself uses, and keeps what a page would show:
every element by its place in the page, each widget's id by its ``key=``.

Widgets are set by key, as a browser sets them when a student acts: a button is a trigger
for one run, a number or a choice a value kept for the runs after, the canvas component
(``streamlit-drawable-canvas``, a v2 component) the JSON of its state, as its frontend
sends it: ``{"drawing": {"raw": ..., "data": "data:image/png;base64,..."}}``. A choice among
buttons (the tab bar's segmented control) is a list, sent as ``string_array_value``; a v2
component's state (the keeper's, :mod:`ui.keeper`) is the JSON of its state's dict, as
``json_value``. What a v2 component was given (its ``data``) is kept by key in
:attr:`Student.data`, for a bench that plays its script's part.

A browser's address bar follows the page: the page writes it (``st.query_params``, a
``page_info_changed``) and every later run sends what it holds. With ``follow_address``, a
student does the same; without it (the scenarios of issue 29, measured so), every run sends
the link it opened, and the page takes that link again at each run as the browser's Back.
"""
import asyncio
import json
import time
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# What each kind of element shows as text; a chart or a widget shows none.
_TEXTS = {"markdown": lambda e: e.markdown.body, "alert": lambda e: e.alert.body,
          "metric": lambda e: f"{e.metric.label}: {e.metric.body}", "progress": lambda e: e.progress.text,
          "heading": lambda e: e.heading.body,
          "exception": lambda e: f"{e.exception.type}: {e.exception.message}"}


def _text(element):
    """What an element shows as text, or None."""
    read = _TEXTS.get(element.WhichOneof("type"))
    return read(element) if read else None


def _widget_id(element):
    """The id of a widget element (its proto's ``id``), or None for a display element."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind, None) if kind else None
    return getattr(proto, "id", None) or None


class Student:
    """One session, as one browser tab holds it.

    Parameters
    ----------
    url : str
        The app's address, ``http://host:port`` (a balancer's too).
    query : str
        The lesson link's query string, without ``?``.
    locale : str
        What the browser says its language is.
    follow_address : bool
        Send, at each run, the address the page last wrote (a browser's address bar), not
        the link it opened.
    """

    def __init__(self, url, query="", locale="en-US", follow_address=False):
        self.url, self.query, self.locale = url.rstrip("/"), query, locale
        self.follow_address = follow_address
        self.cookies = {}
        self.elements = {}         # delta path -> (kind, text, widget id, fragment id)
        self.ids = {}              # widget key -> its element id
        self.homes = {}            # widget id -> the fragment it was drawn in ("" for none)
        self.values = {}           # widget id -> WidgetState fields kept for every run
        self.timers = {}           # fragment id -> seconds between its runs (auto_rerun)
        self.page_hash = ""
        self.errors = []
        self._ws = None
        self._reader = None
        self._finished = None      # a future for the run in flight
        self._touched = set()
        self._fragment = None
        self._lock = None          # one run in flight at a time, as a browser sends them
        self._due = {}             # fragment id -> when its timer next fires (time.monotonic)
        self.runs = 0
        self.media = 0             # images fetched, as a browser fetches each one an element shows
        self._fetches = set()
        self.last_run = None       # the fragments the last run ran (an empty set: the whole page)
        self.sent_at = None        # when the last run's message left (time.monotonic)
        self.data = {}             # a v2 component's key -> the JSON of what the page gave it
        self.on_element = None     # called with (path, kind, text, fragment id) for each element drawn
        self.run_times = []        # (the fragment id, "" for the whole page; seconds) of every run

    # The page's side.

    async def open(self, timeout=60):
        """Load the page (its cookies), open the websocket and run the page once; the seconds it took."""
        self._get_cookies()
        host = urlsplit(self.url).netloc
        headers = {"Origin": self.url, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(ws_url, additional_headers=headers, subprotocols=["streamlit"],
                                            max_size=None, open_timeout=timeout, ping_interval=None,
                                            user_agent_header=f"ffn-digits virtual student ({host})")
        self._reader = asyncio.create_task(self._read())
        return await self.run(timeout=timeout)

    async def close(self):
        if self._fetches:  # the images still loading
            await asyncio.gather(*list(self._fetches), return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def run(self, trigger=None, fragment=None, timeout=60, **states):
        """One run of the page (or of ``fragment``), as a browser asks for it: the values kept,
        ``states`` (widget key -> WidgetState fields, kept for the runs after) and a button's
        ``trigger`` (its key, for this run only). A widget drawn inside a fragment reruns only
        that fragment, as the browser's own client asks (a drawing reruns the canvas's).
        Returns the seconds from the message leaving to the run's end (``script_finished``)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await self._run(trigger, fragment, timeout, states)

    async def _run(self, trigger, fragment, timeout, states):
        for key, fields in states.items():
            self.values[self.ids[key]] = fields
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.context_info.locale = self.locale
        cs.context_info.timezone = "UTC"
        cs.context_info.url = f"{self.url}/?{self.query}"
        if fragment is not None:
            cs.fragment_id = fragment
            cs.is_auto_rerun = True
        else:  # a widget drawn in a fragment reruns that fragment only, as a browser asks
            homes = {self.homes.get(self.ids[k], "") for k in [*states, *([trigger] if trigger else [])]}
            if len(homes) == 1 and "" not in homes:
                cs.fragment_id = homes.pop()
        for wid, fields in self.values.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            for name, value in fields.items():
                if name.endswith("_array_value"):  # a message of a list: a segmented control's choice
                    getattr(w, name).data.extend(value)
                else:
                    setattr(w, name, value)
        if trigger is not None:
            w = cs.widget_states.widgets.add()
            w.id = self.ids[trigger]
            w.trigger_value = True
        loop = asyncio.get_running_loop()
        self._finished = loop.create_future()
        start = time.perf_counter()
        self.sent_at = time.monotonic()
        await self._ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._finished, timeout)
        seconds = time.perf_counter() - start
        self.run_times.append((cs.fragment_id, seconds))
        return seconds

    async def follow(self, done, timeout=120):
        """Let the page's timed fragments run, as a browser's timers run them, until
        ``done(self)`` holds; the seconds it took (TimeoutError past ``timeout``)."""
        start = time.monotonic()
        while not done(self):
            now = time.monotonic()
            if now - start > timeout:
                raise TimeoutError(f"not done after {timeout} s")
            for fid, interval in list(self.timers.items()):
                self._due.setdefault(fid, now + interval)
            due = [fid for fid, at in self._due.items() if at <= now and fid in self.timers]
            if not due:
                await asyncio.sleep(min([at - now for at in self._due.values()] + [0.05]))
                continue
            fid = min(due, key=self._due.get)
            self._due[fid] = now + self.timers[fid]
            await self.run(fragment=fid)
        return time.monotonic() - start

    def texts(self):
        """Every text the page shows now, in the page's order."""
        return [e[1] for _path, e in sorted(self.elements.items()) if e[1]]

    def find(self, needle):
        """The first text on the page that holds ``needle``, or None."""
        return next((t for t in self.texts() if needle in t), None)

    def shows(self, key):
        """Whether the widget of ``key`` is on the page now."""
        wid = self.ids.get(key)
        return wid is not None and any(e[2] == wid for e in self.elements.values())

    # The websocket's side.

    def _get_cookies(self):
        """What a browser's first requests bring back: the page (the balancer's cookie, behind
        HAProxy), then the health check the page makes (Streamlit's XSRF cookie)."""
        for path in (f"/?{self.query}", "/_stcore/health"):
            headers = {"Accept": "text/html"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            req = urllib.request.Request(self.url + path, headers=headers)
            with urllib.request.urlopen(req, timeout=30) as r:
                for header in r.headers.get_all("Set-Cookie") or []:
                    for name, morsel in SimpleCookie(header).items():
                        self.cookies[name] = morsel.value

    async def _read(self):
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._take(msg)
        except websockets.ConnectionClosed:
            pass
        except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
            self.errors.append(f"reading: {type(e).__name__}: {e}")
        finally:
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(ConnectionError("the websocket closed"))

    def _take(self, msg):
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # a run begins: the whole page's, or some fragments' (metadata.run)
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            fragments = set(msg.metadata.run.fragment_ids)
            self._touched, self._fragment = set(), fragments or None
            self.last_run = fragments
            if not fragments:  # the whole page: it sets the timers it wants again
                self.timers, self._due = {}, {}
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                e = delta.new_element
                wid = _widget_id(e)
                if wid and "-" in wid:  # a keyed widget's id ends with its key
                    self.ids[wid.rsplit("-", 1)[1]] = wid
                if wid:
                    self.homes[wid] = delta.fragment_id
                if e.WhichOneof("type") == "imgs":
                    for img in e.imgs.imgs:
                        self._fetch(img.url)
                elif e.WhichOneof("type") == "bidi_component" and wid and "-" in wid:
                    self.data[wid.rsplit("-", 1)[1]] = e.bidi_component.json
                self.elements[path] = (e.WhichOneof("type"), _text(e), wid, delta.fragment_id)
                if self.on_element is not None:
                    self.on_element(path, e.WhichOneof("type"), self.elements[path][1], delta.fragment_id)
            elif delta.WhichOneof("type") == "add_block":
                self.elements[path] = ("block", None, None, delta.fragment_id)
            self._touched.add(path)
        elif kind == "page_info_changed" and self.follow_address:  # the address bar, as the page wrote it
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.timers[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.timers.pop(fid, None)
                self._due.pop(fid, None)
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # the script asked for another run at once: the page waits for that one
            self.runs += 1
            self._drop_stale()
            if self._finished is not None and not self._finished.done():
                self._finished.set_result(msg.script_finished)

    def _fetch(self, url):
        """Load an image the page shows, as a browser does while the run goes on (the server
        serves it from memory, between the run's messages)."""
        if not url.startswith("/"):
            return

        def get():
            req = urllib.request.Request(self.url + url, headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
            self.media += 1

        async def fetch():
            try:
                await asyncio.to_thread(get)
            except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
                self.errors.append(f"image {url}: {type(e).__name__}: {e}")
        task = asyncio.get_running_loop().create_task(fetch())
        self._fetches.add(task)  # kept until done: a task nobody holds may be collected midway
        task.add_done_callback(self._fetches.discard)

    def _drop_stale(self):
        """What a run did not draw again leaves the page (in a fragment's run, the fragment's only)."""
        for path, e in list(self.elements.items()):
            if path in self._touched:
                continue
            if self._fragment is None or e[3] in self._fragment:
                del self.elements[path]


def drawing_state(png):
    """The canvas component's state for a drawing whose PNG is ``png``, as its frontend sends it;
    ``None``: the empty canvas it sends once cleared (white, no strokes)."""
    import base64
    import io

    from PIL import Image
    objects = [{"type": "path"}]
    if png is None:
        out = io.BytesIO()
        Image.new("RGBA", (280, 280), "white").save(out, format="PNG")
        png, objects = out.getvalue(), []
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return {"json_value": json.dumps({"drawing": {"raw": {"version": "5.3.0", "objects": objects},
                                                  "data": url}})}


async def clear(student):
    """Press Clear as a student does before the next digit, and send the empty canvas that the
    component sends back once cleared: the runs a browser's Clear makes."""
    await student.run(trigger="clear")
    await student.run(canvas=drawing_state(None))
