"""Small, stateless readings of a dependency parse that several coder components share."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Token

from realpolitik.records import ActorRef

_YEAR = re.compile(r"^(19|20)\d\d$")
INTERIOR_DEPS = frozenset({"compound", "amod", "nmod", "poss", "pobj", "acl", "npadvmod", "appos"})


def is_year(text: str) -> bool:
    return len(text) == 4 and bool(_YEAR.match(text))


def lemma_variants(word: str) -> list[str]:
    return sorted({word, word.lower(), word.rstrip("s")})


def distinct(actors: list[ActorRef]) -> list[ActorRef]:
    seen: set[tuple[str | None, str | None, str]] = set()
    out = []
    for actor in actors:
        key = (actor.country, actor.sector, actor.name)
        if key not in seen:
            seen.add(key)
            out.append(actor)
    return out


def np_interior(head: Token) -> Iterator[Token]:
    """Tokens inside a noun phrase that can name whom it belongs to.

    Follows modifiers and 'of'/'from' phrases ("boats from Venezuelan ports") but not
    other prepositions, which introduce third parties ("escalation with Washington").
    """
    stack = list(head.children)
    while stack:
        tok = stack.pop()
        if tok.dep_ == "prep" and tok.lower_ in ("of", "from"):
            stack.extend(tok.children)
            continue
        if tok.dep_ in INTERIOR_DEPS:
            yield tok
            stack.extend(tok.children)


def governors(tok: Token) -> Iterator[tuple[Token, str]]:
    """Walk up the clause chain: (governor, how the clause below attaches to it)."""
    cur = tok
    for _ in range(12):
        if cur.dep_ == "acl" and cur.head.lower_ == "order" and cur.head.head.lower_ == "in":
            # "in order to support": a purpose clause of the verb that 'in' attaches to
            yield cur.head.head.head, "advcl"
            cur = cur.head.head.head
            continue
        if cur.dep_ not in ("xcomp", "ccomp", "advcl", "acomp", "conj", "pcomp", "pobj", "prep",
                            "dobj", "acl") or cur.head.i == cur.i:
            return
        if cur.dep_ in ("dobj", "pobj", "prep") and cur.tag_ not in ("VBG", "VB", "IN", "TO"):
            return
        yield cur.head, cur.dep_
        cur = cur.head


def purpose_clause(tok: Token) -> bool:
    """'(in order) to support': a purpose infinitive shares the negation of its governor."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def main_clause(tok: Token) -> bool:
    cur = tok
    while cur.dep_ == "conj":
        cur = cur.head
    return cur.dep_ == "ROOT"


# Clauses that state circumstances of the sentence's main event rather than the news itself:
# adverbial ("after X shelled Y", "if X invades"), relative ("which it annexed"), participial
# adjuncts ("..., accusing Y of"), and clauses inside a noun phrase ("a plan to send troops").
SUBORDINATE_DEPS = frozenset({"advcl", "relcl", "acl", "pcomp"})


def clause_role(tok: Token, reporting: frozenset[str]) -> str:
    """Where the trigger's clause sits: 'main', 'reported' (the complement of a main
    reporting verb: "X said Y attacked Z" is news about the attack) or 'subordinate'."""
    cur = tok
    while cur.dep_ == "conj":
        cur = cur.head
    if cur.dep_ == "ROOT":
        return "main"
    if cur.dep_ in ("ccomp", "parataxis") and cur.head.lemma_.lower() in reporting \
            and main_clause(cur.head):
        return "reported"
    for _ in range(12):
        if cur.dep_ in SUBORDINATE_DEPS:
            return "subordinate"
        if cur.head.i == cur.i:
            break
        cur = cur.head
    return "embedded"


def clause_tokens(verb: Token) -> list[Token]:
    """The verb's own clause: its subtree without embedded clausal complements."""
    skip: set[int] = set()
    for child in verb.children:
        if child.dep_ in ("ccomp", "relcl", "advcl", "conj"):
            skip.update(t.i for t in child.subtree)
    return [t for t in verb.subtree if t.i not in skip]


def since_past(clause: list[Token]) -> bool:
    """'since 2022' is background; 'since Tuesday' or 'ever since' is not."""
    return any(t.lower_ == "since" and t.i + 1 < len(t.doc) and is_year(t.doc[t.i + 1].text)
               for t in clause)
