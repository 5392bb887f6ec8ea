"""Scoring one conversation: database, facts said, routing, forbidden content; pass^k."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from math import comb

from pydantic import BaseModel

from evals.models import Fact, Forbid, Ref, RouteCheck, Task
from evals.prices import PriceBook, amounts
from evals.refs import Resolver, Unresolved
from evals.user_sim import fold


class TurnRecord(BaseModel):
    """One customer message and what came back."""

    user: str
    reply: str = ""
    agent: str = ""
    trace: list[dict[str, object]] = []
    latency_ms: float = 0.0


class Check(BaseModel):
    """One criterion's verdict; ``detail`` says why it failed."""

    name: str
    ok: bool
    detail: str = ""


def pass_hat_k(n: int, c: int, k: int) -> float:
    """tau-bench's pass^k for one task: the chance that k of its n trials, drawn, all passed."""
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of trials n={n}")
    if not 0 <= c <= n:
        raise ValueError(f"c={c} successes must be between 0 and n={n}")
    return comb(c, k) / comb(n, k)


def _contains(haystack: str, needle: str) -> bool:
    """Case- and accent-insensitive; an amount like $2,890 must not be part of a bigger one."""
    folded, want = fold(haystack), fold(needle)
    if re.fullmatch(r"-?\$[\d,]+(\.\d\d)?", want):
        return re.search(re.escape(want) + r"(?![\d]|[.,]\d)", folded) is not None
    return want in folded


def _replies(turns: Sequence[TurnRecord], turn: int | None, since: int | None = None) -> str:
    if since is not None:
        return "\n".join(t.reply for t in turns[since:])
    if turn is None:
        return "\n".join(t.reply for t in turns)
    try:
        return turns[turn].reply
    except IndexError:
        return ""


def check_communicate(facts: list[Fact], turns: Sequence[TurnRecord], resolver: Resolver) -> Check:
    """Every fact appears in the replies (or in the one reply it names)."""
    missing = []
    for fact in facts:
        text = _replies(turns, fact.turn, fact.since)
        if fact.pattern is not None:
            if not re.search(fact.pattern, fold(text)):
                missing.append(f"/{fact.pattern}/")
            continue
        options: list[str] = []
        problems: list[str] = []
        for option in fact.any_of or [fact.ref or fact.text or ""]:
            try:
                options.append(option if isinstance(option, str) else resolver.text(option))
            except Unresolved as exc:
                problems.append(f"({exc})")
        if not options:
            missing.append(" | ".join(problems))
            continue
        if not any(_contains(text, o) for o in options):
            missing.append(" | ".join(options))
    return Check(
        name="communicate", ok=not missing, detail="; ".join(f"not said: {m}" for m in missing)
    )


def check_route(checks: list[RouteCheck], turns: Sequence[TurnRecord]) -> tuple[Check, int]:
    """The named turns were answered by the named agents; also returns how many were right."""
    wrong, right = [], 0
    for rc in checks:
        try:
            agent = turns[rc.turn].agent
        except IndexError:
            wrong.append(f"turn {rc.turn} never happened")
            continue
        if rc.allows(agent):
            right += 1
        else:
            wanted = " or ".join(rc.agent) if isinstance(rc.agent, list) else rc.agent
            wrong.append(f"turn {rc.turn}: {agent} instead of {wanted}")
    return Check(name="route", ok=not wrong, detail="; ".join(wrong)), right


def check_forbid(
    forbid: Forbid, turns: Sequence[TurnRecord], resolver: Resolver, prices: PriceBook
) -> Check:
    """No reply says what it must not: given texts, other people's data, invented prices."""
    found: list[str] = []
    texts = list(forbid.texts)
    for ref in forbid.refs:
        try:
            texts.append(resolver.text(ref))
        except Unresolved:
            continue  # nothing to leak
    for i, turn in enumerate(turns):
        for text in texts:
            if text and _contains(turn.reply, text):
                found.append(f"turn {i} says {text!r}")
        for pattern in forbid.patterns:
            if re.search(pattern, turn.reply, flags=re.IGNORECASE):
                found.append(f"turn {i} matches /{pattern}/")
        for at in forbid.at:
            if at.turn not in (i, i - len(turns)):
                continue
            said = [*at.texts, *_resolved(at.refs, resolver)]
            found += [f"turn {i} says {t!r}" for t in said if t and _contains(turn.reply, t)]
            found += [
                f"turn {i} matches /{p}/"
                for p in at.patterns
                if re.search(p, turn.reply, flags=re.IGNORECASE) or re.search(p, fold(turn.reply))
            ]
        if forbid.invented_prices:
            for shown, cents in amounts(turn.reply):
                if not prices.allowed(cents):
                    found.append(f"turn {i} states {shown}, not a catalogue price x quantity")
    return Check(name="forbid", ok=not found, detail="; ".join(found))


def _resolved(refs: Sequence[Ref], resolver: Resolver) -> list[str]:
    out = []
    for ref in refs:
        try:
            out.append(resolver.text(ref))
        except Unresolved:
            continue  # a value that does not exist cannot be said
    return out


def tool_precision_recall(called: Sequence[str], reference: Sequence[str]) -> tuple[float, float]:
    """Tool names called vs the reference actions (as multisets); 1.0 when a side is empty."""
    hits = sum((Counter(called) & Counter(reference)).values())
    precision = hits / len(called) if called else 1.0
    recall = hits / len(reference) if reference else 1.0
    return precision, recall


def called_tools(turns: Sequence[TurnRecord]) -> list[str]:
    """Agent tool calls of a conversation (the supervisor's hand-offs are routing, not tools)."""
    return [
        str(step["tool"])
        for t in turns
        for step in t.trace
        if step.get("tool") and not str(step["tool"]).startswith("transfer_to_")
    ]  # steps without a tool are the commands a turn was read as


def reference_tools(task: Task) -> list[str]:
    """The tools of the task's reference actions."""
    return [a.tool for a in task.actions]
