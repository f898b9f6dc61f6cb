"""Find actor mentions in a spaCy Doc and code them as (country, sector).

Two ``PhraseMatcher``s are built once from the gazetteer:

* names (countries, demonyms, capitals, seats of power, leaders, IGOs, outlets,
  named groups) matched on ``ORTH`` - exact capitalisation, plus an ALL-CAPS
  variant so shouting headlines still match. "US" never matches "us", "Chad"
  never matches "chad";
* sector words ("government", "troops", "foreign minister") matched on
  ``LOWER``.

Per call, matches are reduced to non-overlapping items (longest wins), then
adjacent items are *composed* into one mention: "the Trump administration",
"Russian military personnel", "President Nicolás Maduro's government",
"the administration of US President Donald Trump". A sector word with no
country ("the government", "rebels") is returned with ``country=None`` so a
later stage can attach it to the article's country.

Works on a tokenizer-only Doc (``nlp.make_doc``); on a parsed Doc it also drops
sector words tagged as verbs ("he forces", "they police").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from spacy.lang.en import English
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.actors.schema import Leader
from realpolitik.records import ActorRef

#: readable labels for "<country> <label>" names of composed mentions
SECTOR_LABELS: dict[str, str] = {
    "GOV": "government",
    "MIL": "military",
    "COP": "police",
    "SPY": "intelligence services",
    "JUD": "judiciary",
    "LEG": "legislature",
    "REB": "rebels",
    "CRM": "criminal groups",
    "OPP": "opposition",
    "PTY": "party",
    "MED": "media",
    "BUS": "business",
    "CVL": "civilians",
    "LAB": "labour",
    "EDU": "students",
    "REF": "refugees",
    "HRI": "rights groups",
    "HLH": "health workers",
    "NGO": "aid groups",
    "REL": "religious leaders",
    "UAF": "gunmen",
}

_LOCATIVE = frozenset({
    "in", "at", "from", "to", "into", "near", "outside", "inside", "across", "via", "around",
    "toward", "towards"
})
_COORD = frozenset({",", "and", "or", "&"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_CALENDAR = frozenset({
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"
})
_SENT_END = frozenset({".", "!", "?", ":", '"', "“", "”", "—", "-", "(", "\n"})


@dataclass(frozen=True)
class ActorSpan:
    """One actor mention: token offsets in the Doc (end exclusive) and its coding."""

    start: int
    end: int
    actor: ActorRef
    kind: str  # country|capital|seat|demonym|leader|igo|media|group|sector
    rule: str


@dataclass(frozen=True)
class _Entry:
    """A static gazetteer target for one surface form."""

    kind: str  # country|capital|seat|demonym|igo|media|group|person|region|anaphoric
    country: str | None
    sector: str | None
    name: str
    ambiguous: bool = False


@dataclass
class _Item:
    """A resolved match inside one call (entity or sector word)."""

    start: int
    end: int
    kind: str
    country: str | None = None
    sector: str | None = None
    name: str = ""
    weak: bool = False
    rule: str = ""

    @property
    def is_sector(self) -> bool:
        return self.kind == "sector"


def _variants(form: str) -> set[str]:
    """Surface variants to register: as written, and ALL-CAPS for headlines."""
    out = {form}
    upper = form.upper()
    if upper != form:
        out.add(upper)
    return out


class ActorMatcher:
    """Gazetteer-driven actor finder; build once, call per Doc/Span."""

    def __init__(
        self,
        vocab: Vocab,
        gazetteer: Gazetteer,
        tokenizer: Callable[[str], Doc] | None = None,
    ) -> None:
        self.vocab = vocab
        self.gazetteer = gazetteer
        # Patterns must be tokenized exactly like the texts; a blank English
        # tokenizer over the shared vocab matches en_core_web_* tokenization.
        self._tokenize = tokenizer or English(vocab=vocab).tokenizer
        self._names = PhraseMatcher(vocab, attr="ORTH")
        self._sectors = PhraseMatcher(vocab, attr="LOWER")
        self._static: dict[int, list[_Entry]] = {}
        self._leaders: dict[int, list[Leader]] = {}
        self._sector_of: dict[int, tuple[str | None, bool]] = {}
        self._build()

    @classmethod
    def from_nlp(cls, nlp: English, gazetteer: Gazetteer | None = None) -> ActorMatcher:
        """Convenience: share the pipeline's vocab and tokenizer."""
        return cls(nlp.vocab, gazetteer or Gazetteer.load(), tokenizer=nlp.tokenizer)

    # -- building ------------------------------------------------------------------

    def _add_static(self, form: str, entry: _Entry) -> None:
        for variant in _variants(form):
            key = self.vocab.strings.add("ACT|" + variant)
            bucket = self._static.get(key)
            if bucket is None:
                self._static[key] = [entry]
                self._names.add("ACT|" + variant, [self._tokenize(variant)])
            elif entry not in bucket:
                bucket.append(entry)

    def _add_leader(self, form: str, person: Leader) -> None:
        for variant in _variants(form):
            key = self.vocab.strings.add("LDR|" + variant)
            bucket = self._leaders.get(key)
            if bucket is None:
                self._leaders[key] = [person]
                self._names.add("LDR|" + variant, [self._tokenize(variant)])
            elif person not in bucket:
                bucket.append(person)

    def _build(self) -> None:
        gaz = self.gazetteer
        for c in gaz.countries:
            amb = set(c.ambiguous)
            for form in (c.name, *c.aliases):
                self._add_static(form, _Entry("country", c.code, None, c.name, form in amb))
            for form in c.demonyms:
                self._add_static(form, _Entry("demonym", c.code, None, c.name, form in amb))
            for form in c.capitals:
                self._add_static(form, _Entry("capital", c.code, "GOV", c.name, form in amb))
            for seat in c.seats:
                self._add_static(seat.text, _Entry("seat", c.code, seat.sector, c.name))
        for form in gaz.regions:
            self._add_static(form, _Entry("region", None, None, form))
        for o in gaz.organisations:
            for form in (o.name, *o.aliases):
                self._add_static(form, _Entry("igo", o.code, None, o.name))
            for seat in o.seats:
                self._add_static(seat.text, _Entry("igo", o.code, seat.sector, o.name))
        for g in gaz.groups:
            kind = "person" if g.kind == "person" else "group"
            for form in (g.name, *g.aliases):
                self._add_static(form, _Entry(kind, g.country, g.sector, g.name))
        for out in gaz.outlets:
            for form in (out.name, *out.aliases):
                self._add_static(form, _Entry("media", out.country, "MED", out.name))
            for form in out.anaphoric_aliases:
                self._add_static(form, _Entry("anaphoric", out.country, "MED", out.name))
        for person in gaz.leaders:
            for form in (person.name, *person.aliases):
                self._add_leader(form, person)
        for w in gaz.sector_words:
            key = self.vocab.strings.add("SEC|" + w.text)
            if key not in self._sector_of:
                self._sector_of[key] = (w.sector, w.weak)
                self._sectors.add("SEC|" + w.text, [self._tokenize(w.text)])

    # -- matching ------------------------------------------------------------------

    def __call__(self, doclike: Doc | Span, on: dt.date | None = None) -> list[ActorSpan]:
        """Actor mentions in ``doclike``, left to right, non-overlapping.

        ``on`` is the article date used to pick office holders; None means
        "whoever holds the office now" (open-ended terms).
        """
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        lo = doclike.start if isinstance(doclike, Span) else 0
        tagged = doc.has_annotation("POS")
        items: list[_Item] = []
        # PhraseMatcher reports Doc offsets even when called on a Span (spaCy 3.8).
        for key, s, e in self._names(doclike):
            item = self._resolve_name(key, s, e, on)
            if item is not None:
                items.append(item)
        for key, s, e in self._sectors(doclike):
            if tagged and doc[e - 1].pos_ == "VERB":
                continue
            sector, weak = self._sector_of[key]
            items.append(_Item(s, e, "sector", sector=sector, weak=weak, rule="sector"))
        if not items:
            return []
        picked = self._longest(items)
        picked = self._filter(doc, picked, lo)
        groups, heads = self._compose(doc, picked)
        self._distribute(doc, groups, heads)
        return [self._emit(doc, g, heads) for g in groups if self._worth(g)]

    def _resolve_name(self, key: int, s: int, e: int, on: dt.date | None) -> _Item | None:
        entries = self._static.get(key)
        if entries is not None:
            ent = entries[0]
            item = _Item(s, e, ent.kind, ent.country, ent.sector, ent.name, rule=ent.kind)
            if ent.ambiguous:
                item.rule = ent.kind + ":ambiguous"
            return item
        people = self._leaders.get(key)
        if people is None:
            return None
        return self._resolve_leader(people, s, e, on)

    @staticmethod
    def _resolve_leader(
        people: list[Leader], s: int, e: int, on: dt.date | None
    ) -> _Item | None:
        """Pick the office holder for a name; ambiguous names on the date give None."""
        active = []
        for person in people:
            terms = [
                t for t in person.terms if (t.end is None if on is None else t.covers(on))
            ]
            if terms:
                active.append((person, terms))
        if len(active) == 1:
            person, terms = active[0]
            term = terms[0]
            sector = None if term.role == "igo_head" else "GOV"
            return _Item(s, e, "leader", term.country, sector, person.name, rule="leader")
        if not active and len(people) == 1:
            # A former office holder: still that country's actor, but not "the government".
            person = people[0]
            past = [t for t in person.terms if on is None or t.start <= on] or list(person.terms)
            term = max(past, key=lambda t: t.start)
            return _Item(s, e, "leader", term.country, None, person.name, rule="leader_former")
        return None

    @staticmethod
    def _longest(items: list[_Item]) -> list[_Item]:
        """Longest match wins; on ties a name beats a sector word, then leftmost."""
        order = sorted(items, key=lambda i: (-(i.end - i.start), i.is_sector, i.start))
        taken: set[int] = set()
        out: list[_Item] = []
        for it in order:
            span = range(it.start, it.end)
            if any(t in taken for t in span):
                continue
            taken.update(span)
            out.append(it)
        out.sort(key=lambda i: i.start)
        return out

    def _filter(self, doc: Doc, items: list[_Item], lo: int) -> list[_Item]:
        """Drop blockers and context-rejected matches; mark locative capitals."""
        starts = {it.start for it in items}
        ends = {it.end for it in items}
        seen_media: set[str] = set()
        out: list[_Item] = []
        for it in items:
            if it.kind == "region":
                continue
            if it.kind == "anaphoric":
                if it.name not in seen_media:
                    continue
                it.kind, it.rule = "media", "media:anaphoric"
            if it.kind == "media":
                seen_media.add(it.name)
            ambiguous = it.rule.endswith(":ambiguous")
            if ambiguous and not self._clear_context(doc, it, starts, ends, lo):
                continue
            if it.kind in {"capital", "seat"}:
                p = it.start - 1
                if p >= lo and doc[p].lower_ == "the":
                    p -= 1
                if p >= lo and doc[p].lower_ in _LOCATIVE:
                    it.sector = None
                    it.rule = it.kind + ":locative"
            out.append(it)
        return out

    @staticmethod
    def _clear_context(doc: Doc, it: _Item, starts: set[int], ends: set[int], lo: int) -> bool:
        """An ambiguous name ("Jordan", "Chad") must not be glued to another capitalised word."""
        first = doc[it.start]
        if first.is_upper and len(first) > 1:
            return True  # headline shouting: no case signal to use
        nxt = doc[it.end] if it.end < len(doc) else None
        if (
            nxt is not None
            and nxt.is_title
            and nxt.is_alpha
            and nxt.text not in _CALENDAR
            and it.end not in starts
        ):
            return False
        p = it.start - 1
        if p >= lo and p not in ends:
            prev = doc[p]
            before = doc[p - 1].text if p > lo else ""
            at_sentence_start = p == lo or before in _SENT_END or "\n" in before
            if prev.is_title and prev.is_alpha and not at_sentence_start:
                return False
        return True

    @staticmethod
    def _link(doc: Doc, left: _Item, right: _Item) -> str | None:
        """How two neighbouring items may join: '' (adjacent), "'s", 'of', or None."""
        gap = [t.lower_ for t in doc[left.end : right.start]]
        if not gap:
            return ""
        if len(gap) == 1 and gap[0] in _POSSESSIVE:
            return "'s"
        if left.is_sector and not right.is_sector and gap in (["of"], ["of", "the"]):
            return "of"
        return None

    def _compose(
        self, doc: Doc, items: list[_Item]
    ) -> tuple[list[list[_Item]], dict[int, _Item]]:
        """Merge adjacent compatible items into mention groups.

        Also returns, per group (keyed by id of its first item), the sector word
        before an "of" link, which is the head of "the administration of X".
        """
        groups: list[list[_Item]] = []
        heads: dict[int, _Item] = {}
        cur: list[_Item] = []
        cur_country: str | None = None
        for it in items:
            if cur:
                link = self._link(doc, cur[-1], it)
                clash = it.country is not None and cur_country not in (None, it.country)
                if link is not None and not clash:
                    if link == "of" and id(cur[0]) not in heads:
                        heads[id(cur[0])] = cur[-1]
                    cur.append(it)
                    cur_country = cur_country or it.country
                    continue
                groups.append(cur)
            cur, cur_country = [it], it.country
        if cur:
            groups.append(cur)
        return groups, heads

    @staticmethod
    def _group_sector(group: list[_Item], heads: dict[int, _Item]) -> str | None:
        head = heads.get(id(group[0]))
        if head is not None and head.sector is not None and not head.weak:
            return head.sector
        strong = [i for i in group if i.is_sector and i.sector and not i.weak]
        if strong:
            return strong[-1].sector
        intrinsic = [i for i in group if not i.is_sector and i.sector]
        if intrinsic:
            return intrinsic[-1].sector
        weak = [i for i in group if i.is_sector and i.sector]
        return weak[-1].sector if weak else None

    def _distribute(
        self, doc: Doc, groups: list[list[_Item]], heads: dict[int, _Item]
    ) -> None:
        """'Russian and Chinese officials', 'US and Venezuelan officials': the trailing
        sector word covers every coordinated nationality."""
        for i in range(len(groups) - 2, -1, -1):
            g, nxt = groups[i], groups[i + 1]
            nations = {"demonym", "country"}
            if len(g) != 1 or g[0].kind not in nations or nxt[0].kind not in nations:
                continue
            if not nxt[-1].is_sector:
                continue
            gap = [t.lower_ for t in doc[g[0].end : nxt[0].start]]
            if gap and all(w in _COORD for w in gap):
                # zero-width sector item: gives g the sector without widening its span
                edge = g[0].end
                g.append(_Item(edge, edge, "sector", sector=self._group_sector(nxt, heads),
                               rule="coordination"))

    @staticmethod
    def _worth(group: list[_Item]) -> bool:
        """A neutral head noun alone ("sources") is not an actor."""
        return any(i.sector is not None or not i.is_sector for i in group)

    def _emit(self, doc: Doc, group: list[_Item], heads: dict[int, _Item]) -> ActorSpan:
        start = group[0].start
        end = max(i.end for i in group)
        ents = [i for i in group if not i.is_sector]
        country = next((i.country for i in ents if i.country is not None), None)
        sector = self._group_sector(group, heads)
        text = doc[start:end].text
        if not ents:
            label = SECTOR_LABELS.get(sector or "", "")
            return ActorSpan(start, end, ActorRef(country=None, sector=sector, name=label,
                                                  text=text), "sector", "sector")
        rank = {"leader": 0, "person": 1, "group": 2, "media": 3, "igo": 4, "seat": 5,
                "capital": 6, "country": 7, "demonym": 8}
        main = min(ents, key=lambda i: rank.get(i.kind, 9))
        kind = "group" if main.kind == "person" else main.kind
        if len(group) == 1:
            name, rule = main.name, main.rule
            if main.kind in {"capital", "seat"} and sector is not None:
                place = self.gazetteer.country_name(country) or main.name
                name = f"{place} {SECTOR_LABELS.get(sector, '')}".strip()
        else:
            rule = "compose:" + "+".join(
                "coordination" if i.rule == "coordination" else i.kind for i in group
            )
            named = main.kind in {"leader", "person", "group", "media", "igo"}
            keeps_name = named and id(group[0]) not in heads and (
                group[-1] is main
                or (main.kind not in {"leader", "person"} and sector in (None, main.sector))
            )
            if keeps_name:
                name = main.name
            else:
                place = self.gazetteer.country_name(country) or main.name
                label = SECTOR_LABELS.get(sector or "")
                name = f"{place} {label}" if label else place
        return ActorSpan(start, end, ActorRef(country=country, sector=sector, name=name,
                                              text=text), kind, rule)
