"""Consultation: a round's indicators as cards, read and commented on by touch.

The address says where one is (``?round=<id>&indicator=<code>``): a reload, a bookmark, Back and
Forward come back to the same indicator, and a signed-out visitor signs in here and stays here.
"""

import streamlit as st

from indicators_lab.catalogue.frameworks import list_objectives
from indicators_lab.consultation import participation
from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.matrix import template_xlsx
from indicators_lab.core.access import can
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import DEFAULT, _, current_locale, ngettext
from indicators_lab.core.vocabulary import RATING_HELP, RATING_NAMES
from indicators_lab.proposal.strategy import localise, round_strategy
from indicators_lab.ui import state, touch
from indicators_lab.ui.resources import act, deferred, page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain, show_text

db = page_session()
SIGN_IN_HERE = _("Sign in to read this consultation and comment: use the email and password of your invitation.")
actor = page_guard("views/consultation.py", sign_in_here=SIGN_IN_HERE, title=_("Consultation"))
state.show_flash(state.CONSULT_FLASH)


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


rounds = {r.id: r for r in con.open_rounds_for(actor, session=db)}
if not rounds:
    st.title(_("Consultation"), anchor=False)
    st.info(_("There is no consultation open for you right now."))
    st.stop()
wanted = _number(st.query_params.get("round"))
rid = wanted if wanted in rounds else next(iter(rounds))
if len(rounds) > 1:
    ids = list(rounds)
    rid = st.selectbox(_("Open consultation"), ids, index=ids.index(rid), format_func=lambda i: rounds[i].title)
    if st.query_params.get("round") != str(rid):
        st.query_params["round"] = str(rid)
        st.query_params.pop("indicator", None)
r = rounds[rid]
st.title(plain(r.title), anchor=False)
st.caption(_("Open until {time}. On the {subject}.").format(time=local_time(r.closes_at), subject=plain(r.subject)))
if r.purpose:
    show_text(r.purpose)

posted = state.pop(state.CONSULT_POSTED)  # (comment id, message) of the last post, edit or reply
form_number = state.get(state.CONSULT_FORM, 0)


def done(comment_id: int, message: str) -> None:
    """After a post, reply or edit: show that comment with the message beside it, and a fresh form."""
    state.put(state.CONSULT_POSTED, (comment_id, message))
    state.put(state.CONSULT_FORM, form_number + 1)
    st.rerun()


def show_thread(comments, key: str) -> None:
    """Comments as plain text (never HTML or Markdown), replies marked, with one compact row of
    actions under each."""
    for c in comments:
        box = st.container(border=True, key=f"ilab-comment-{c.id}")
        if posted and posted[0] == c.id:
            box.success(plain(posted[1]), icon=":material/check_circle:")
        if c.parent_id:
            box.caption(_("↳ reply to comment {number}").format(number=c.parent_id))
        meta = plain(c.author_name) + (f", {plain(c.organisation)}" if c.organisation else "")
        meta += f" · {_(con.CONSTITUENCIES.get(c.constituency, c.constituency))} · {local_time(c.created_at)}"
        if c.stance:
            meta += f" · {_(con.STANCES[c.stance])}"
        if c.edited:
            meta += " · " + _("edited")
        box.caption(meta)
        if c.hidden:
            box.caption(_("Hidden: {reason}").format(reason=plain(c.hidden_reason)) if c.hidden_reason
                        else _("Hidden by the co-leads."))
        show_text(c.text, box)
        if c.ratings:
            box.caption(" · ".join(f"{_(RATING_NAMES[k]) if k in RATING_NAMES else k.replace('_', ' ')} {v}/5"
                                   for k, v in c.ratings.items()))
        if c.disposition:
            box.caption(_("Co-leads' answer: {answer}").format(answer=_(con.DISPOSITIONS[c.disposition])))
            show_text(c.response, box)
        row = box.container(horizontal=True, gap="small")
        with row.popover(_("Reply")):
            text = st.text_area(_("Your reply"), key=f"ilab.c.reply.{key}.{c.id}", max_chars=con.MAX_COMMENT)
            if st.button(_("Send reply"), key=f"ilab.c.replyb.{key}.{c.id}"):
                try:
                    done(act(con.post_comment, actor=actor, round_id=rid, parent_id=c.id, text=text),
                         _("Your reply was posted."))
                except UserError as exc:
                    st.error(plain(exc))
        with row.popover(_("Report")):
            why = st.text_input(_("Why? (optional)"), key=f"ilab.c.rep.{key}.{c.id}")
            if st.button(_("Report this comment"), key=f"ilab.c.repb.{key}.{c.id}"):
                try:
                    act(con.report_comment, actor=actor, comment_id=c.id, reason=why)
                    done(c.id, _("Thank you: the co-leads will look at it."))
                except UserError as exc:
                    st.error(plain(exc))
        if c.mine:
            with row.popover(_("Edit")):
                text = st.text_area(_("Your comment, edited"), c.text, key=f"ilab.c.edit.{key}.{c.id}", max_chars=con.MAX_COMMENT)
                if st.button(_("Save"), key=f"ilab.c.editb.{key}.{c.id}"):
                    try:
                        act(con.edit_comment, actor=actor, comment_id=c.id, text=text)
                        done(c.id, _("Your comment was updated."))
                    except UserError as exc:
                        st.error(plain(exc))
    if posted and any(c.id == posted[0] for c in comments):
        touch.bring_into_view()


def comment_form(key: str, *, item_id=None, objective=None, stances=tuple(con.STANCES), strategy=False) -> None:
    """Stance as large buttons, the text (kept as a draft in the browser), ratings explained."""
    touch.keep_draft(f"{actor.user_id}.{rid}.{key}", label=_("Your comment"), within=f"ilab-form-{key}",
                     forget=posted is not None)
    form = st.container(key=f"ilab-form-{key}")  # one form per subject, found by its subject
    with form, st.form(f"ilab.c.form.{key}.{form_number}", enter_to_submit=False, border=False):
        stance = st.segmented_control(_("Your view"), stances, format_func=lambda k: _(con.STANCES[k]),
                                      key=f"ilab.c.stance.{key}.{form_number}") if stances else None
        text = st.text_area(_("Your comment"), max_chars=con.MAX_COMMENT, key=f"ilab.c.text.{key}.{form_number}")
        ratings = {}
        with st.expander(_("Optional ratings, from 1 (low) to 5 (high)")):
            for name in con.RATINGS:
                value = st.segmented_control(_(RATING_HELP[name]), [1, 2, 3, 4, 5],
                                             key=f"ilab.c.rt.{key}.{form_number}.{name}")
                if value is not None:
                    ratings[name] = value
        if st.form_submit_button(_("Post comment"), type="primary"):
            try:
                done(act(con.post_comment, actor=actor, round_id=rid, item_id=item_id, objective=objective,
                         stance=stance or "", ratings=ratings, text=text, strategy=strategy),
                     _("Your comment was posted."))
            except UserError as exc:
                st.error(plain(exc))


def _choose(code: str, item_id: int) -> None:
    st.query_params["indicator"] = code  # a new browser history entry: Back returns to the last one
    state.put(state.CONSULT_POSTED, None)
    state.put(state.CONSULT_OPENED, item_id)


def indicator_card(card: participation.IndicatorCard, objectives: dict, *, chosen: bool) -> None:
    """Code, the full title (wrapped), what it means, the objectives it serves, comment counts; the
    chosen card also holds its comments and the form."""
    box = st.container(border=True, key=f"ilab-card-{card.item_id}")
    english = current_locale() == DEFAULT
    # In French or Spanish, the sources' translation of the title; English, marked, where there is none.
    title = card.title if english else card.title_translated or f"[EN] {card.title}"
    box.markdown(f"**{plain(card.code)}** {plain(title)}")
    explanation = card.help.removeprefix(f"What it measures: {card.title}.").strip()
    if explanation:  # written in English when the round opened (the item's own metadata)
        box.caption(plain(explanation if english else f"[EN] {explanation}"))
    if card.objectives:
        box.caption(_("Serves {objectives}").format(objectives="; ".join(
            plain(objectives[n].label) if n in objectives else _("Objective {number}").format(number=n)
            for n in card.objectives)))
    else:
        box.caption(_("Not linked to a GCM objective yet."))
    if not card.comments:
        counts = _("No comments yet")
    elif not card.mine:
        counts = ngettext("{n} comment", "{n} comments", card.comments).format(n=card.comments)
    elif card.comments == 1:
        counts = _("1 comment (yours)")
    else:
        counts = _("{n} comments, {mine} of them yours").format(n=card.comments, mine=card.mine)
    box.caption(counts)
    if not chosen:
        box.button(_("Read and comment"), key=f"ilab.c.open.{card.item_id}", icon=":material/forum:",
                   on_click=_choose, args=(card.code, card.item_id))
        return
    if state.pop(state.CONSULT_OPENED) == card.item_id:
        touch.bring_into_view(f".st-key-ilab-card-{card.item_id}", block="start")
    with box:
        show_thread(con.thread(actor=actor, round_id=rid, item_id=card.item_id, session=db), f"i{card.item_id}")
        comment_form(f"i{card.item_id}", item_id=card.item_id, stances=("keep", "modify", "drop"))


def strategy_part() -> None:
    """The version's strategy for improving disaggregated migration data, objective by objective:
    its indicators, whether each can be split by migratory status today, the gaps, the co-leads'
    proposed actions, and comments on them."""
    st.caption(_("For each GCM objective: can its indicators be split by migratory status today, what is missing, "
                 "and what the co-leads propose to do about it (who, by when). Comment on an objective's strategy."))
    table = localise(round_strategy(rid, session=db, actor=actor))  # its sentences in the reader's language
    objectives = {o.number: o for o in list_objectives(session=db)}
    gaps = table[table["gap"] != ""].groupby("objective").size().to_dict()
    number = st.selectbox(_("Objective"), list(objectives), key="ilab.c.strategy.objective",
                          format_func=lambda n: objectives[n].label + (
                              " (" + ngettext("{n} gap", "{n} gaps", gaps[n]).format(n=gaps[n]) + ")"
                              if gaps.get(n) else ""))
    for row in table[table["objective"] == number].itertuples():
        box = st.container(border=True)
        box.markdown("**" + (plain(f"{row.code} {row.title}") if row.key else _("No indicator yet")) + "**")
        if row.key:
            box.caption(plain(_("Split by migratory status today: {split} ({data})").format(
                split=row.split_today, data=row.data)))
        if row.gap:
            box.caption(plain(_("Gap: {gap}").format(gap=row.gap)))
        if row.action:
            box.caption(_("Proposed action:"))
            show_text(row.action, box)
            who = " · ".join(x for x in (row.who and _("Who: {who}").format(who=row.who),
                                         row.by_when and _("By when: {when}").format(when=row.by_when)) if x)
            if who:
                box.caption(plain(who))
        elif row.gap:
            box.caption(_("No action proposed yet."))
    show_thread(con.thread(actor=actor, round_id=rid, objective=number, strategy=True, session=db), f"s{number}")
    comment_form(f"s{number}", objective=number, strategy=True)


# A keyed control, not st.tabs: the part a person comments on stays selected after they post.
PARTS = {"items": _("Indicators"), "objectives": _("Objectives"), "set": _("The set as a whole")}
if r.version is not None:  # a frozen version carries a disaggregation strategy
    PARTS["strategy"] = _("Strategy for disaggregated data")
part = st.segmented_control(_("Comment on"), list(PARTS), format_func=PARTS.get, default="items",
                            key=state.widget_key(state.CONSULT_PART)) or "items"
if part == "items":
    cards = participation.indicator_cards(rid, session=db, actor=actor)
    if not cards:
        st.info(_("This round is not about a particular set of indicators: comment on objectives or overall."))
    else:
        objectives = {o.number: o for o in list_objectives(session=db)}
        served = sorted({n for c in cards for n in c.objectives})
        only = None
        if served:  # folded: on a phone the first card comes first
            picked = state.get(state.CONSULT_OBJECTIVE)
            with st.expander(_("Showing the indicators of objective {number}").format(number=picked) if picked
                             else _("Filter by GCM objective"),
                             icon=":material/filter_list:"):
                only = st.pills(_("Show the indicators serving"), served,
                                format_func=lambda n: _("Objective {number}").format(number=n),
                                key=state.widget_key(state.CONSULT_OBJECTIVE))
        shown = [c for c in cards if only is None or only in c.objectives]
        by_code = {c.code: c for c in reversed(cards)}  # the first of two equal codes
        chosen = by_code.get(st.query_params.get("indicator", "")) or (shown[0] if shown else None)
        commented = sum(1 for c in cards if c.mine)
        if only is None:
            showing = ngettext("{n} indicator.", "{n} indicators.", len(shown)).format(n=len(shown))
        else:
            showing = ngettext("{n} indicator of {total}, serving objective {number}.",
                               "{n} indicators of {total}, serving objective {number}.",
                               len(shown)).format(n=len(shown), total=len(cards), number=only)
        st.caption(showing + " " + _("You have commented on {n} of {total}.").format(n=commented, total=len(cards)))
        if chosen is not None and chosen not in shown:
            shown = [chosen, *shown]  # the one in the address stays in view whatever the filter
        for card in shown:
            indicator_card(card, objectives, chosen=card is chosen)
elif part == "objectives":
    objectives = {o.number: o for o in list_objectives(session=db)}
    number = st.selectbox(_("Objective"), list(objectives), format_func=lambda n: objectives[n].label)
    st.caption(_("Comment on how well the set covers this objective."))
    show_thread(con.thread(actor=actor, round_id=rid, objective=number, session=db), f"o{number}")
    comment_form(f"o{number}", objective=number)
elif part == "strategy" and "strategy" in PARTS:  # a round on a set has no strategy part
    strategy_part()
else:
    show_thread(con.thread(actor=actor, round_id=rid, whole_set=True, session=db), "set")
    comment_form("set")


def offline_template() -> None:
    """The round's template to comment without a connection, in the reader's language; built only
    when the button is clicked. At the foot of the page: the phone's first screens stay as they are."""
    if not can(actor, "rounds.template.download"):
        return
    try:
        con.require_taking_part(rid, session=db, actor=actor)  # ExCom: rounds open to their constituency
    except UserError:
        return
    st.download_button(_("Download the template to comment offline (XLSX)"),
                       deferred(template_xlsx, rid, actor=actor), f"round_{rid}_template.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="ilab.c.template", icon=":material/download:", on_click="ignore")
    st.caption(_("Fill it in without a connection, then send it to the co-leads of the round: they import it."))


offline_template()
