"""What this browser keeps for the page between visits: a student's token and a teacher's keys,
in the browser's ``localStorage`` (never in the link, so never in the Share box, the address
bar or the QR code). A small component with no face: it writes what the page asks, then
tells the page everything the app keeps there. The same on every replica behind one address.
"""
import json

import streamlit as st

PREFIX = "ffn-digits."
_JS = """
export default function ({ data, setStateValue }) {
  const prefix = %s;
  let store;
  try { store = window.localStorage; } catch (e) { store = null; }  // storage off: nothing is kept
  const kept = {};
  if (store) {
    for (const [name, value] of Object.entries((data && data.set) || {})) {
      if (value === null) store.removeItem(prefix + name); else store.setItem(prefix + name, String(value));
    }
    for (let i = 0; i < store.length; i++) {
      const k = store.key(i);
      if (k && k.startsWith(prefix)) kept[k.slice(prefix.length)] = store.getItem(k);
    }
  }
  setStateValue("kept", kept);  // called when the page's data changes: each telling reruns it once
}
""" % json.dumps(PREFIX)
_component = st.components.v2.component("ffn_keeper", js=_JS, isolate_styles=False)  # not the canvas's kind


def read():
    """What this browser keeps (a dict of str), as it told the page at its last telling; None
    until it has told it, a moment after the page loads."""
    got = (st.session_state.get("keeper") or {}).get("kept")
    return None if got is None else {str(k): str(v) for k, v in dict(got).items()}


def write(**values):
    """Keep ``values`` (name -> str, or None to forget it) in this browser, at this run's mount."""
    st.session_state.keeper_pending = {**st.session_state.get("keeper_pending", {}), **values}


def mount():
    """The keeper on the page, once a run, at its end: it writes what is pending, then tells the
    page all it keeps (a rerun, and :func:`read` has it). At the end, because its telling
    reruns the page at once: a rerun asked for before the browser has drawn the page's other
    widgets would carry none of their values (the open tab, presenter mode), and lose them. What was
    written stays in its data: the same data does not call it again, and so costs no rerun
    (writing it again, at a reload, changes nothing)."""
    pending = st.session_state.get("keeper_pending", {})
    _component(key="keeper", data={"set": pending}, default={"kept": None}, height=0, on_kept_change=_told)


def _told():
    pass  # the browser's telling is read from the component's state (a callback makes it a state)
