"""Hostile input files for the fuzz suite, generated from a seed.

Each generator writes one file (or link, FIFO, directory) and says what ingest must do
with it: ``good`` (stored whole), ``bad`` (refused, in one line naming it) or ``any``
(either, but never a crash or a hang). Kinds cover random bytes, broken and deep HTML,
huge lines, NUL bytes, wrong and mixed encodings, UTF-16 with and without BOM, JSONL and
CSV with broken lines and wrong types, RSS/Atom with broken XML and entity expansion,
strings aimed at each regular expression, odd file names, symlink loops and FIFOs.
"""

from __future__ import annotations

import codecs
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

COUNTRIES = ["Russia", "China", "Iran", "Venezuela", "the United States", "Brazil", "Cuba",
             "Colombia", "Turkey", "India", "France", "Germany"]
VERBS = ["said it would support", "refused to back", "threatened", "accused", "met with",
         "imposed sanctions on", "sent aid to", "criticised", "agreed to cooperate with"]
PLACES = ["CARACAS", "MOSCOW", "BEIJING", "WASHINGTON", "HAVANA", "BOGOTA"]
# Pieces of the dateline, cite and boilerplate patterns, for adversarial runs.
REGEX_UNITS = ["A-", "A ", "A.", "A'", "A / ", "A, ", "Ab.&", "St. ", "(", ")", "—", "- ",
               "Dec 1 ", "report by the ", "according to ", "Monday ", "1 min ", "share ",
               "© ", "<title", "<script", "%", "$", "\"", "A and ", "newspaper "]
ODD_NAMES = ["new\nline", "esc\x1b[31mred", "cr\rret", "bel\x07l", "rtl\u202etxt.exe",
             "-rf", "--db", "tab\tname", "sp ace", "quote\"'", "back\\slash", "ünï",
             "zw\u200bsp", "dollar$HOME"]


@dataclass(frozen=True)
class Made:
    """One generated input: its path and what ingest must do with it."""

    path: str
    expect: str  # "good", "bad" or "any"
    kind: str


def sentence(rng: random.Random) -> str:
    a, b = rng.sample(COUNTRIES, 2)
    return f"{a[0].upper()}{a[1:]} {rng.choice(VERBS)} {b} on Tuesday, officials said."


def article_text(rng: random.Random, sentences: int = 5) -> str:
    lines = [" ".join(sentence(rng) for _ in range(2)) for _ in range(sentences)]
    place = rng.choice(PLACES)
    return f"{place}, Dec {rng.randint(1, 28)} (Reuters) - " + "\n\n".join(lines) + "\n"


def _name(rng: random.Random, n: int, suffix: str, odd: bool) -> str:
    stem = f"{n:05d}"
    if odd:
        stem += rng.choice(ODD_NAMES)
    return stem + suffix


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


# --- generators: (rng, directory, number) -> Made ------------------------------------

def good_text(rng: random.Random, d: Path, n: int) -> Made:
    p = d / _name(rng, n, rng.choice([".txt", ""]), rng.random() < 0.2)
    _write(p, article_text(rng).encode())
    return Made(str(p), "good", "text")


def good_html(rng: random.Random, d: Path, n: int) -> Made:
    body = "".join(f"<p>{s}</p>" for s in article_text(rng).split("\n\n"))
    html = (f"<!doctype html><html><head><title>{sentence(rng)}</title></head>"
            f"<body><article><h1>{sentence(rng)}</h1>{body}</article></body></html>")
    p = d / _name(rng, n, ".html", rng.random() < 0.2)
    _write(p, html.encode())
    return Made(str(p), "good", "html")


def good_jsonl(rng: random.Random, d: Path, n: int) -> Made:
    seps = ["\u2028", "\u2029", "\u0085", " "]
    recs = [{"text": article_text(rng, 3).replace(" on Tuesday", rng.choice(seps) + "on Tuesday"),
             "title": sentence(rng), "outlet": rng.choice(["Wire", "Post", "Herald"]),
             "published": f"2025-12-{rng.randint(1, 28):02d}",
             "url": rng.choice(["https://example.org/a", "javascript:alert(3)", None])}
            for _ in range(rng.randint(1, 4))]
    p = d / _name(rng, n, ".jsonl", rng.random() < 0.2)
    _write(p, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode())
    return Made(str(p), "good", "jsonl")


def good_utf16(rng: random.Random, d: Path, n: int) -> Made:
    p = d / _name(rng, n, ".txt", False)
    _write(p, codecs.BOM_UTF16_LE + article_text(rng).encode("utf-16-le"))
    return Made(str(p), "good", "utf16-bom")


def random_bytes(rng: random.Random, d: Path, n: int) -> Made:
    p = d / _name(rng, n, rng.choice([".txt", ".html", ".jsonl", ".csv", ".rss", ""]), False)
    _write(p, rng.randbytes(rng.randint(1, 20_000)))
    return Made(str(p), "any", "random-bytes")


def nul_bytes(rng: random.Random, d: Path, n: int) -> Made:
    text = article_text(rng).encode()
    cut = rng.randint(0, len(text))
    p = d / _name(rng, n, ".txt", False)
    _write(p, text[:cut] + b"\x00" + text[cut:])
    return Made(str(p), "bad", "nul")


def utf16_no_bom(rng: random.Random, d: Path, n: int) -> Made:
    p = d / _name(rng, n, ".txt", False)
    _write(p, article_text(rng).encode(rng.choice(["utf-16-le", "utf-16-be"])))
    return Made(str(p), "any", "utf16-nobom")


def mixed_encoding(rng: random.Random, d: Path, n: int) -> Made:
    text = article_text(rng)
    half = len(text) // 2
    data = text[:half].encode() + "Bogotá, São Paulo ".encode(rng.choice(["latin-1", "cp1252"]))
    data += text[half:].encode(rng.choice(["utf-8", "latin-1", "utf-32"]))
    p = d / _name(rng, n, ".txt", False)
    _write(p, data)
    return Made(str(p), "any", "mixed-encoding")


def broken_html(rng: random.Random, d: Path, n: int) -> Made:
    tags = ["<div>", "</div>", "<p", "<script>", "</scr", "<!--", "-->", "<![CDATA[", "<b>",
            "<title>", "&amp", "&#xD800;", "&#99999999;", "<", ">", "<a href='javascript:x'>"]
    parts = [rng.choice(tags) if rng.random() < 0.4 else sentence(rng) for _ in range(60)]
    html = "<html><body>" + "".join(parts)
    html = html[: rng.randint(1, len(html))]
    p = d / _name(rng, n, rng.choice([".html", ""]), False)
    _write(p, html.encode())
    return Made(str(p), "any", "broken-html")


def deep_html(rng: random.Random, d: Path, n: int) -> Made:
    depth = rng.choice([1_000, 10_000, 100_000])
    tag = rng.choice(["div", "b", "span", "p"])
    html = f"<html><body>{f'<{tag}>' * depth}{article_text(rng)}{f'</{tag}>' * depth}"
    p = d / _name(rng, n, ".html", False)
    _write(p, html.encode())
    return Made(str(p), "any", "deep-html")


def huge_line(rng: random.Random, d: Path, n: int) -> Made:
    unit = rng.choice([sentence(rng) + " ", "word ", "x", ")" * 10, "A-", "— "])
    # parseable prose costs real coding time (long texts are tested in test_hostile_ingest)
    size = 20_000 if unit.endswith("said. ") else rng.choice([100_000, 1_200_000])
    p = d / _name(rng, n, rng.choice([".txt", ".jsonl", ".html"]), False)
    _write(p, (unit * (size // len(unit) + 1))[:size].encode())
    return Made(str(p), "any", "huge-line")


def regex_bait(rng: random.Random, d: Path, n: int) -> Made:
    unit = rng.choice(REGEX_UNITS)
    text = rng.choice(["", "\n", ". "]) + unit * (10_000 // len(unit)) + "\n\n"
    text += article_text(rng) if rng.random() < 0.5 else ""
    p = d / _name(rng, n, rng.choice([".txt", ".html", ""]), False)
    _write(p, text.encode())
    return Made(str(p), "any", "regex-bait")


def broken_jsonl(rng: random.Random, d: Path, n: int) -> Made:
    bad = ['{"text": ', "[" * 1001, '{"text": "a \\ud800 b", "title": "\\udc00"}',
           '{"text": "Russia said Venezuela would talk.", "published": ' + "9" * 5000 + "}",
           '{"text": 5}', '{"text": "ok words here", "title": ["x"]}', "null", '"str"',
           '{"text": NaN}', '{"text": "' + "x" * 100 + '", "outlet": "' + "O" * 100_000 + '"}',
           "\ufeff{}", '{"text": "a b c", "published": "not a date"}']
    lines = [json.dumps({"text": article_text(rng, 2)}), rng.choice(bad)]
    rng.shuffle(lines)
    p = d / _name(rng, n, rng.choice([".jsonl", ".ndjson", ""]), False)
    _write(p, ("\n".join(lines) + "\n").encode())
    return Made(str(p), "any", "broken-jsonl")


def broken_csv(rng: random.Random, d: Path, n: int) -> Made:
    rows = ["text,title,published", f'"{article_text(rng, 2)}",A title,2025-12-01']
    rows.append(rng.choice(['"unterminated', "a,b,c,d,e", ",,", '"x""y",' + "9" * 5000,
                            "text", "\x00", '"' + "q" * 200_000 + '"']))
    if rng.random() < 0.3:
        rows[0] = rng.choice(["", "title,body", "TEXT", "text,text"])
    p = d / _name(rng, n, ".csv", False)
    _write(p, "\r\n".join(rows).encode())
    return Made(str(p), "any", "broken-csv")


def broken_feed(rng: random.Random, d: Path, n: int) -> Made:
    link = rng.choice(["javascript:alert(3)", "https://e.org/x"])
    item = (f"<item><title>{sentence(rng)}</title><link>{link}</link>"
            f"<description>{article_text(rng, 2)}</description></item>")
    levels = "".join(f"<!ENTITY {chr(ord(c) + 1)} \"{('&' + c + ';') * 10}\">"
                     for c in "abcdefgh")
    lol = f"<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">{levels}]>"
    head = rng.choice(["", lol, '<?xml version="1.0" encoding="utf-8"?>'])
    body = item * rng.choice([1, 3, 6000]) if rng.random() < 0.9 else "<item>&i;</item>"
    feed = f'{head}<rss version="2.0"><channel><title>Feed</title>{body}</channel></rss>'
    if rng.random() < 0.4:
        feed = feed[: rng.randint(1, len(feed))]
    if rng.random() < 0.2:
        feed = feed.replace("<title>", "<title>&#xD800;", 1)
    if rng.random() < 0.2:
        feed = feed.replace("rss version", "feed xmlns='http://www.w3.org/2005/Atom' v", 1)
    p = d / _name(rng, n, rng.choice([".rss", ".xml", ".atom", ""]), False)
    _write(p, feed.encode())
    return Made(str(p), "any", "broken-feed")


def special_file(rng: random.Random, d: Path, n: int) -> Made:
    """A symlink loop, a FIFO, a link to /dev/zero, an empty file or a dangling link."""
    p = d / _name(rng, n, ".txt", rng.random() < 0.3)
    choice = rng.randrange(5)
    if choice == 0:
        os.symlink(p.name, p)
    elif choice == 1:
        os.mkfifo(p)
    elif choice == 2:
        os.symlink("/dev/zero", p)
    elif choice == 3:
        p.write_bytes(b"")
    else:
        os.symlink(d / "missing-target", p)
    return Made(str(p), "bad", "special")


def odd_dir(rng: random.Random, d: Path, n: int) -> Made:
    """A subdirectory with an odd (sometimes non-UTF-8) name holding one good file."""
    raw = os.fsencode(f"{n:05d}-dir") + rng.choice([b"\xff\xfe", b"\n", b"\x1b[2J", b""])
    sub = os.path.join(os.fsencode(d), raw)
    os.mkdir(sub)
    path = os.path.join(sub, b"a\xffb.txt")
    with open(path, "wb") as fh:
        fh.write(article_text(rng).encode())
    return Made(os.fsdecode(path), "good", "odd-dir")


Generator = Callable[[random.Random, Path, int], Made]
GENERATORS: list[tuple[Generator, float]] = [
    (good_text, 12), (good_html, 5), (good_jsonl, 5), (good_utf16, 2), (odd_dir, 2),
    (random_bytes, 10), (nul_bytes, 4), (utf16_no_bom, 3), (mixed_encoding, 4),
    (broken_html, 8), (deep_html, 2), (huge_line, 0.5), (regex_bait, 10), (broken_jsonl, 10),
    (broken_csv, 8), (broken_feed, 10), (special_file, 4),
]


def make_corpus(directory: Path, count: int, seed: int) -> list[Made]:
    """``count`` inputs in ``directory``, kinds drawn by weight from a seeded generator."""
    rng = random.Random(seed)
    gens = [g for g, _ in GENERATORS]
    weights = [w for _, w in GENERATORS]
    return [rng.choices(gens, weights)[0](rng, directory, n) for n in range(count)]
