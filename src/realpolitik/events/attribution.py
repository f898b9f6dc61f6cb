"""Component 5, attribution: on whose word the event is reported.

"according to X", "citing X": X's word. The subject of a reporting verb that governs
the trigger is the speaker, unless the speaker is the event's own source (actors
reporting themselves are not a separate source). A listener counts only when it is
an outlet ("sources told Reuters"). An anaphor ("the newspaper", "the report") stands
for the report the article retells (its cites).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from realpolitik.events.context import EventDraft, SentenceInput
from realpolitik.events.lexicon import Lexicon
from realpolitik.events.roles import ActorResolver
from realpolitik.events.syntax import governors


class Attribution:
    def __init__(self, lexicon: Lexicon) -> None:
        self.according = [tuple(p.split()) for p in lexicon.attribution.according_to]
        self.reporting = frozenset(lexicon.attribution.reporting_verbs)
        self.anaphors = frozenset(lexicon.attribution.anaphors)
        self.data_nouns = frozenset(lexicon.attribution.data_nouns)

    def __call__(self, doc: Doc) -> Doc:
        sent: SentenceInput = doc._.rp_sentence
        drafts = [d for d in doc._.rp_drafts if d.alive]
        if not drafts:
            return doc
        resolver = ActorResolver(sent)
        according = self.according_to(resolver)
        for draft in drafts:
            draft.attributed_to = self.sources_of(draft, resolver, according)
        return doc

    def according_to(self, res: ActorResolver) -> list[str]:
        """'according to X', 'citing X': X's word, for every event of the sentence."""
        names: list[str] = []
        doc = res.sent.doc
        words = [t.lower_ for t in doc]
        for phrase in self.according:
            for i in range(len(words) - len(phrase) + 1):
                if tuple(words[i:i + len(phrase)]) != phrase:
                    continue
                last = doc[i + len(phrase) - 1]
                heads = [last, *[c for c in last.children if c.dep_ in ("agent", "prep")]]
                for head in heads:
                    for obj in head.children:
                        if obj.dep_ in ("pobj", "dobj"):
                            names += self.names(obj, res)
        return names

    def sources_of(self, draft: EventDraft, res: ActorResolver,
                   according: list[str]) -> list[str]:
        own = {a.key() for a in draft.sources.actors}
        names = list(according)
        for gov, _link in governors(draft.trigger.token):
            if gov.lemma_.lower() not in self.reporting:
                continue
            for child in gov.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    speaker = res.np_actors(child).actors
                    if not any(a.key() in own for a in speaker):
                        names += self.names(child, res)
                elif child.dep_ in ("dative", "prep") and child.lower_ in ("to", "by"):
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            names += self._relay(obj, res)
                elif child.dep_ in ("dobj", "dative"):
                    names += self._relay(child, res)
        return list(dict.fromkeys(n for n in names if n))

    def _relay(self, head: Token, res: ActorResolver) -> list[str]:
        """A listener counts as a source only if it is an outlet ("sources told Reuters")."""
        if head.lemma_.lower() in self.anaphors or any(
                res.index.get(t.i) is not None and res.index[t.i].kind == "media"
                for t in head.subtree):
            return self.names(head, res)
        return []

    def names(self, head: Token, res: ActorResolver) -> list[str]:
        """Name(s) of whoever a claim is attributed to, canonical for known outlets."""
        media = []
        for tok in head.subtree:
            span = res.index.get(tok.i)
            if span is not None and span.kind == "media" and span.actor.name not in media:
                media.append(span.actor.name)
        if media:
            return media
        lemma = head.lemma_.lower()
        if lemma in self.anaphors:
            return list(res.sent.cites)  # "the newspaper", "the report": the report retold
        if lemma in self.data_nouns:
            for c in head.children:
                if c.dep_ == "prep" and c.lower_ in ("from", "by"):
                    for obj in c.children:
                        if obj.dep_ == "pobj":
                            return self.names(obj, res)
        if head.pos_ == "PRON":
            return []
        words = [t for t in head.subtree if t.dep_ not in ("relcl", "punct")
                 and not any(a.dep_ == "relcl" for a in t.ancestors if a in head.subtree)]
        text = " ".join(t.text for t in words).strip()
        return [text] if text else []
