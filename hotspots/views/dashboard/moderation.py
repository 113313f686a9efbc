"""Moderation of walkabout feedback (VAWG page): correct or blank a point's text, delete it.

Analysts and admins edit (a comment that names someone, a wrong reason or severity); admins
delete. Each change goes through :func:`hotspots.store.update_record` /
:func:`hotspots.store.delete_record` with the signed-in user as ``actor``, so it is in the
audit log with who and when. The comment is shown and edited as plain text.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from hotspots import store
from hotspots.views.dashboard.login import allowed, current_user
from hotspots.views.dashboard.store import session_store

_KEY = "mod_feedback"
_MESSAGE_KEY = "mod_message"


def _save(feedback_id: str) -> None:
    state = st.session_state
    changes = {
        "comment": state.get(f"mod_comment_{feedback_id}") or "",
        "reason": state.get(f"mod_reason_{feedback_id}"),
        "severity": state.get(f"mod_severity_{feedback_id}"),
        "time_of_concern": state.get(f"mod_time_{feedback_id}"),
    }
    try:
        store.update_record(session_store(), "feedback", feedback_id, changes, actor=current_user())
    except (store.ValidationError, KeyError) as err:
        problems = err.problems if isinstance(err, store.ValidationError) else [str(err)]
        state[_MESSAGE_KEY] = ("error", "Not saved: " + "; ".join(problems))
        return
    state[_MESSAGE_KEY] = ("success", f"Saved the changes to feedback point {feedback_id}.")


def _delete(feedback_id: str) -> None:
    state = st.session_state
    if not allowed("delete"):
        state[_MESSAGE_KEY] = ("error", "Only an admin can delete a feedback point.")
        return
    try:
        store.delete_record(session_store(), "feedback", feedback_id, actor=current_user())
    except (store.ValidationError, KeyError) as err:
        problems = err.problems if isinstance(err, store.ValidationError) else [str(err)]
        state[_MESSAGE_KEY] = ("error", "Not deleted: " + "; ".join(problems))
        return
    state.pop(_KEY, None)
    state[_MESSAGE_KEY] = ("success", f"Deleted feedback point {feedback_id}.")


def moderation_section(feedback: gpd.GeoDataFrame, *, reason_labels: dict[str, str]) -> None:
    """Edit or delete one feedback point (of those the filters show)."""
    if not allowed("edit"):
        st.info("Moderation is for analysts and admins.")
        return
    message = st.session_state.pop(_MESSAGE_KEY, None)
    if message is not None:
        getattr(st, message[0])(message[1])
    if feedback.empty:
        st.info("No feedback point matches the filters.")
        return
    rows = feedback.set_index("feedback_id")
    fid = st.selectbox("Feedback point to moderate", list(rows.index), key=_KEY)
    row = rows.loc[fid]
    with st.form(f"mod_form_{fid}"):
        st.text_area(
            "Comment (as stored; blank it or correct it)",
            value=str(row["comment"]),
            max_chars=4000,
            key=f"mod_comment_{fid}",
        )
        c1, c2, c3 = st.columns(3)
        reasons = list(store.REASONS)
        c1.selectbox(
            "Correct the reason",
            reasons,
            index=reasons.index(row["reason"]),
            format_func=lambda reason: reason_labels.get(reason, reason),
            key=f"mod_reason_{fid}",
        )
        c2.select_slider(
            "Correct the severity",
            [1, 2, 3, 4, 5],
            value=int(row["severity"]),
            key=f"mod_severity_{fid}",
        )
        times = list(store.TIMES_OF_CONCERN)
        c3.selectbox(
            "Correct the time of concern",
            times,
            index=times.index(row["time_of_concern"]),
            key=f"mod_time_{fid}",
        )
        st.form_submit_button("Save changes", on_click=_save, args=(fid,))
    if allowed("delete"):
        confirm = st.checkbox(f"Yes, delete feedback point {fid}", key=f"mod_confirm_{fid}")
        st.button(
            "Delete this feedback point",
            disabled=not confirm,
            on_click=_delete,
            args=(fid,),
            key="mod_delete",
        )
    st.caption("Each change and deletion is recorded in the audit log with your name.")
