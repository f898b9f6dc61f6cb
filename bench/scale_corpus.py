"""Synthetic multi-outlet news for the scale benchmark (sentences written for this project).

Each *happening* is one thing two countries did on one day (an agreement, sanctions, a
border clash, aid, expelled diplomats, a summit ...). One to four outlets report it
within two days, each in its own words (15-30 sentences: a lead, details, quotes from
the leaders in office on that date according to actors/data/leaders.yaml, background);
some outlets also republish another's report verbatim under their own name (a
near-duplicate copy). Dates span two years. The gold story of every article is its
happening.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

START = dt.date(2024, 1, 1)
DAYS = 730
OUTLETS = ["Harbour Times", "Northern Courier", "Meridian Post", "Atlas Wire",
           "Continental Daily", "Riverside Ledger", "Summit Review", "Coastal Tribune",
           "Capital Observer", "Frontier Journal"]
ACTIONS = {
    "agreement": ["{A} and {B} signed an agreement on {topic} on {day}.",
                  "{A} and {B} agreed on {day} to work together on {topic}.",
                  "On {day}, {B} and {A} put their names to a pact covering {topic}."],
    "sanctions": ["{A} imposed sanctions on {B} over {topic} on {day}.",
                  "{A} announced new penalties against {B} on {day}, citing {topic}.",
                  "On {day}, {A} hit {B} with sanctions linked to {topic}."],
    "clash": ["Troops from {A} and {B} exchanged fire near their border on {day}.",
              "Soldiers of {B} and {A} clashed at a frontier post on {day}.",
              "Fighting broke out between forces of {A} and {B} on {day} along the border."],
    "aid": ["{A} sent humanitarian aid to {B} on {day} to help with {topic}.",
            "{A} delivered relief supplies to {B} on {day} after {topic}.",
            "On {day}, {A} shipped food and medicine to {B} to cope with {topic}."],
    "expulsion": ["{A} expelled several diplomats of {B} on {day} over {topic}.",
                  "{A} ordered envoys from {B} to leave the country on {day}, citing {topic}.",
                  "On {day}, {A} told a group of {B} diplomats to go home over {topic}."],
    "summit": ["The leaders of {A} and {B} met on {day} to discuss {topic}.",
               "{A} hosted talks with {B} on {day} focused on {topic}.",
               "Officials from {A} and {B} held a summit on {day} about {topic}."],
    "accusation": ["{A} accused {B} on {day} of {topic}.",
                   "{A} blamed {B} for {topic} in a statement on {day}.",
                   "On {day}, {A} charged that {B} was responsible for {topic}."],
}
TOPICS = ["fishing rights", "river water sharing", "a gas pipeline", "grain exports",
          "cyber attacks on banks", "refugee flows", "a disputed island", "arms sales",
          "a rail link", "drug trafficking", "election interference", "flood damage",
          "a detained journalist", "port access", "electricity exports", "mining licences",
          "student visas", "vaccine supplies", "air routes", "a border fence"]
DETAILS = [
    "Officials said the decision followed weeks of contacts between the two governments.",
    "The foreign ministry of {A} described the step as necessary and overdue.",
    "A spokesperson for {B} said the government would study the move carefully.",
    "Analysts said the step was likely to shape relations between {A} and {B} for months.",
    "Diplomats in the region said the issue of {topic} had been building for a long time.",
    "{leaderA} said {A} had acted in good faith and expected {B} to respond in kind.",
    "{leaderB} told reporters that {B} would defend its interests over {topic}.",
    "Opposition politicians in {B} criticised the government's handling of {topic}.",
    "Business groups in {A} said they were watching the situation closely.",
    "The issue of {topic} has divided {A} and {B} since at least the previous year.",
    "Neighbouring governments urged both sides to keep talking.",
    "A statement from {A} said further measures were possible if needed.",
    "Officials in {B} said they had not been consulted before the announcement.",
    "Parliament in {A} is expected to debate the matter next week.",
    "The United Nations said it hoped the two countries would settle their differences.",
    "Markets in {B} were calm after the news.",
    "Local media in {A} gave the announcement heavy coverage.",
    "Residents near the border said daily life had not changed much.",
    "Experts said the effects on trade between {A} and {B} were hard to predict.",
    "{leaderA} is due to travel abroad later this month.",
    "The government of {B} has faced protests over living costs this year.",
    "Both governments have said they want stable relations in principle.",
    "A senior official in {A} said the door to dialogue remained open.",
    "Commentators in {B} called the move a test of the relationship.",
    "The two countries established diplomatic relations decades ago.",
]


@dataclass(frozen=True)
class Country:
    code: str
    name: str


def countries() -> list[Country]:
    data = yaml.safe_load(resources.files("realpolitik.actors").joinpath(
        "data/countries.yaml").read_text(encoding="utf-8"))
    return [Country(c["code"], c["name"]) for c in data["countries"]]


def leaders() -> dict[str, list[tuple[dt.date, dt.date | None, str]]]:
    """Heads of state or government by country: (start, end, name)."""
    data = yaml.safe_load(resources.files("realpolitik.actors").joinpath(
        "data/leaders.yaml").read_text(encoding="utf-8"))
    out: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
    for person in data["leaders"]:
        for term in person.get("terms", []):
            if term["role"] in ("head_of_state", "head_of_government"):
                out.setdefault(term["country"], []).append(
                    (term["start"], term.get("end"), person["name"]))
    return out


def leader_on(table: dict, country: Country, day: dt.date) -> str:
    for start, end, name in table.get(country.code, []):
        if start <= day and (end is None or day < end):
            return name
    return f"the leader of {country.name}"


def generate(out: Path, happenings: int, seed: int = 11) -> dict[str, int]:
    """Write ``out`` (JSONL articles) and ``out.gold.json`` (article key -> happening)."""
    rng = random.Random(seed)
    table = leaders()
    places = [c for c in countries() if c.code in table] or countries()
    gold: dict[str, str] = {}
    articles = 0
    with out.open("w", encoding="utf-8") as fh:
        for h in range(happenings):
            a, b = rng.sample(places, 2)
            kind = rng.choice(sorted(ACTIONS))
            topic = rng.choice(TOPICS)
            day = START + dt.timedelta(days=rng.randrange(DAYS))
            names = {"A": a.name, "B": b.name, "topic": topic,
                     "day": day.strftime("%A"), "leaderA": leader_on(table, a, day),
                     "leaderB": leader_on(table, b, day)}
            outlets = rng.sample(OUTLETS, rng.randint(1, 4))
            written: list[tuple[str, str]] = []
            for n, outlet in enumerate(outlets):
                if written and rng.random() < 0.3:  # a verbatim copy of an earlier report
                    title, text = rng.choice(written)
                else:
                    lead = ACTIONS[kind][n % len(ACTIONS[kind])].format(**names)
                    body = [d.format(**names) for d in rng.sample(DETAILS, rng.randint(14, 24))]
                    text = " ".join([lead, *body])
                    title = lead.rstrip(".")
                    written.append((title, text))
                published = day + dt.timedelta(days=rng.randint(0, 2))
                key = f"h{h:06d}-{n}"
                fh.write(json.dumps({"id": key, "title": title, "text": text,
                                     "outlet": outlet, "published": published.isoformat()})
                         + "\n")
                gold[key] = f"h{h:06d}"
                articles += 1
    out.with_suffix(".gold.json").write_text(json.dumps(gold), encoding="utf-8")
    return {"happenings": happenings, "articles": articles}
