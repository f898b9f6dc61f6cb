"""Six more languages: language id, actor names, the multilingual coder, its figures,
cross-language stories and the multilingual demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realpolitik.actors.gazetteer import Gazetteer, GazetteerError
from realpolitik.actors.languages import (
    LANGUAGE_DIR,
    LanguageNames,
    MultilingualActors,
    available_languages,
)
from realpolitik.evaluate_languages import load_language_gold, score_languages
from realpolitik.events.multilingual import (
    EVENT_LANGUAGE_DIR,
    LanguageDataError,
    SentenceTyper,
    event_languages,
    load_event_language,
)
from realpolitik.events.train_multilingual import MULTILINGUAL_DIR, inputs_digest, read_lang_file
from realpolitik.ingest.language import guess_language, sentence_language
from realpolitik.nlp.blank import token_spans
from realpolitik.pipeline import Pipeline
from realpolitik.records import Article
from tests.helpers import run_cli

LANGS = ["ar", "de", "es", "fr", "pt", "ru"]
GOLD = Path(__file__).parent / "fixtures" / "multilingual"
TARGETS = {"es": 0.60, "fr": 0.60, "pt": 0.45, "de": 0.45, "ru": 0.45, "ar": 0.45}


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline()


@pytest.fixture(scope="module")
def actors(pipe: Pipeline) -> MultilingualActors:
    return pipe.multilingual.actors


# ------------------------------------------------------------------ language id
@pytest.mark.parametrize(("text", "lang"), [
    ("El gobierno venezolano acusó a Estados Unidos de preparar una agresión militar.", "es"),
    ("Le gouvernement vénézuélien a accusé les États-Unis de préparer une intervention.", "fr"),
    ("O governo venezuelano acusou os Estados Unidos de preparar uma agressão militar.", "pt"),
    ("Die venezolanische Regierung warf den USA vor, einen Angriff vorzubereiten.", "de"),
    ("Правительство Венесуэлы обвинило США в подготовке военной агрессии.", "ru"),
    ("اتهمت الحكومة الفنزويلية الولايات المتحدة بالتحضير لعدوان عسكري.", "ar"),
    ("The Venezuelan government accused the United States of preparing an attack.", "en"),
])
def test_language_identified(text: str, lang: str) -> None:
    assert guess_language(text) == lang


def test_too_little_text_is_undetermined() -> None:
    assert guess_language("42 — !!") == "und"


def test_sentence_in_another_language_is_recognised() -> None:
    article_lang = "es"
    assert sentence_language("Le Kremlin a dénoncé les manœuvres américaines dans "
                             "les Caraïbes cette semaine.", article_lang) == "fr"
    assert sentence_language("Sí.", article_lang) == "es"  # too short to overrule


def test_mixed_article_codes_each_sentence_in_its_language(pipe: Pipeline) -> None:
    text = ("El gobierno venezolano acusó a Estados Unidos de preparar una agresión. "
            "La Russie a accusé les États-Unis de menacer la souveraineté du Venezuela.")
    coded = pipe.code_one(Article(id="mixed", language="es", text=text))
    assert {e.language for e in coded.events} == {"es", "fr"}


# ------------------------------------------------------------------ actor names
@pytest.mark.parametrize(("lang", "text", "country", "sector"), [
    ("es", "Moscú", "RUS", "GOV"), ("fr", "le Kremlin", "RUS", "GOV"),
    ("ru", "Вашингтон", "USA", "GOV"), ("ar", "طهران", "IRN", "GOV"),
    ("es", "venezolano", "VEN", None), ("es", "venezolanas", "VEN", None),
    ("fr", "la Maison-Blanche", "USA", "GOV"), ("de", "Russlands", "RUS", None),
    ("ru", "России", "RUS", None), ("ar", "وروسيا", "RUS", None),
    ("pt", "Pequim", "CHN", "GOV"), ("es", "Rusia", "RUS", None),  # CLDR name
    ("ru", "Путин", "RUS", "GOV"), ("ar", "مادورو", "VEN", "GOV"),
    ("es", "el ejército ruso", "RUS", "MIL"), ("ru", "армия России", "RUS", "MIL"),
])
def test_names_resolve_like_english(actors: MultilingualActors, lang: str, text: str,
                                    country: str, sector: str | None) -> None:
    spans = actors.find(lang, text, token_spans(lang, text))
    assert [(s.actor.country, s.actor.sector) for s in spans] == [(country, sector)]


def test_every_language_has_names_and_event_data() -> None:
    assert available_languages() == LANGS
    assert event_languages() == LANGS
    for lang in LANGS:
        data = load_event_language(lang)
        assert all(data.triggers[t] for t in data.triggers), lang


def test_names_file_with_unknown_code_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "es.yaml").write_text("lang: es\ncountries:\n- {code: XXQ, aliases: [Foo]}\n",
                                      encoding="utf-8")
    with pytest.raises(GazetteerError, match="unknown country code XXQ"):
        LanguageNames.build("es", Gazetteer.load(), base=tmp_path)
    (tmp_path / "es.yaml").write_text("lang: es\ncountries: [{code: VEN, nick: [x]}]\n",
                                      encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"es\.yaml"):
        LanguageNames.build("es", Gazetteer.load(), base=tmp_path)


def test_event_file_missing_a_type_fails_loudly(tmp_path: Path) -> None:
    text = (EVENT_LANGUAGE_DIR / "fr.yaml").read_text(encoding="utf-8")
    (tmp_path / "fr.yaml").write_text(text.replace("  ASSAULT:", "  ASSAULTS:"),
                                      encoding="utf-8")
    with pytest.raises(LanguageDataError, match="ASSAULT"):
        load_event_language("fr", tmp_path)


# ------------------------------------------------------------------ coder
def test_model_was_built_from_the_current_training_data() -> None:
    meta = SentenceTyper.load().meta
    assert meta["inputs_sha256"] == inputs_digest(), "run `make train`"
    assert set(meta["sentences"]) == {"en", *LANGS}


def test_training_file_schema() -> None:
    rows = [s for f in sorted(MULTILINGUAL_DIR.glob("*.jsonl")) for s in read_lang_file(f)]
    assert {s.lang for s in rows} == set(LANGS)
    for lang in LANGS:
        types = {e.type for s in rows if s.lang == lang for e in s.events}
        assert len(types) == 16, (lang, sorted(types))
        assert any(not s.events for s in rows if s.lang == lang)


@pytest.mark.parametrize(("lang", "text", "expect"), [
    ("es", "Rusia no condenó a Estados Unidos.", ("ACCUSE", "RUS", "USA", True, "asserted")),
    ("fr", "Téhéran refuse de négocier avec Washington.", ("REJECT", "IRN", "USA", False,
                                                            "asserted")),
    ("ru", "США планируют новые санкции против России.", ("SANCTION", "USA", "RUS", False,
                                                          "planned")),
    ("ar", "لن ترسل روسيا قوات إلى فنزويلا.", ("MOBILIZE", "RUS", "VEN", True, "asserted")),
    ("de", "Die USA könnten Kuba angreifen.", ("ASSAULT", "USA", "CUB", False, "hypothetical")),
    ("pt", "O Brasil foi criticado pela Rússia.", ("ACCUSE", "RUS", "BRA", False, "asserted")),
])
def test_polarity_and_roles_cues(pipe: Pipeline, lang: str, text: str, expect: tuple) -> None:
    coded = pipe.code_one(Article(id=f"cue-{lang}", language=lang, text=text))
    got = [(e.type, e.source.country, e.target.country if e.target else None, e.negated,
            e.modality) for e in coded.events]
    assert got == [expect]
    event = coded.events[0]
    assert event.language == lang and event.sentence == text
    assert "roles:order" in event.rule and f"ml-typing-1:{lang}" in event.rule


def test_no_event_sentence_stays_empty(pipe: Pipeline) -> None:
    coded = pipe.code_one(Article(id="none-es", language="es",
                                  text="El equipo de Caracas ganó el partido del domingo."))
    assert coded.events == []


def test_per_language_figures_meet_the_targets(pipe: Pipeline) -> None:
    report = score_languages(load_language_gold(GOLD), pipe.multilingual, pipe.gazetteer.is_igo,
                             modes=("combined",))
    scores = {s.lang: s for s in report.scores}
    assert set(scores) == set(LANGS)
    for lang, target in TARGETS.items():
        assert scores[lang].sentences >= 60
        assert scores[lang].accuracy >= target, (lang, scores[lang].accuracy)
        assert scores[lang].false_alarms == 0


def test_eval_command_prints_per_language_figures() -> None:
    result = run_cli(["eval", str(GOLD / "ar.jsonl")])
    assert result.exit_code == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("ar ")]
    assert [r[1] for r in rows] == ["combined", "lexicon", "model"]


# ------------------------------------------------------------------ stories and demo
def _blog(title: str, outlet: str, day: str, body: str) -> str:
    return f"{title}\n- {outlet}\n- {day}\n\n{body}\n"


STORY = {
    "port_en.txt": _blog("Colombia and Ecuador sign a river border accord", "Lakeside Wire",
                         "Mar 2, 2026",
                         "Colombia and Ecuador signed an accord on Monday to patrol the Putumayo "
                         "river border together. The foreign ministers of Colombia and Ecuador "
                         "met in Quito to sign the accord on joint river patrols."),
    "port_es.txt": _blog("Colombia y Ecuador firman un acuerdo sobre la frontera fluvial",
                         "Diario Andino", "Mar 2, 2026",
                         "Colombia y Ecuador firmaron el lunes un acuerdo para patrullar juntos "
                         "la frontera del río Putumayo. Los cancilleres de Colombia y Ecuador se "
                         "reunieron en Quito para firmar el acuerdo de patrullas fluviales."),
    "port_fr.txt": _blog("La Colombie et l'Équateur signent un accord sur leur frontière "
                         "fluviale", "Courrier du Sud", "Mar 3, 2026",
                         "La Colombie et l'Équateur ont signé lundi un accord pour patrouiller "
                         "ensemble la frontière du fleuve Putumayo. Les ministres des affaires "
                         "étrangères des deux pays se sont rencontrés à Quito pour signer "
                         "l'accord sur les patrouilles fluviales."),
    "strike_es.txt": _blog("Huelga de mineros en el norte de Chile", "Diario Andino",
                           "Mar 3, 2026",
                           "Los sindicatos mineros de Chile convocaron una huelga en las minas "
                           "de cobre del norte. Miles de trabajadores protestaron en Antofagasta "
                           "por los salarios."),
}


def test_one_happening_in_three_languages_is_one_story(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in STORY.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "ml.duckdb"
    assert run_cli(["ingest", str(folder), "--db", str(db)]).exit_code == 0
    out = run_cli(["articles", "--db", str(db), "--format", "jsonl"]).stdout
    articles = {Path(a["path"]).name: a for a in map(json.loads, out.splitlines())}
    assert {n: a["language"] for n, a in articles.items()} == {
        "port_en.txt": "en", "port_es.txt": "es", "port_fr.txt": "fr", "strike_es.txt": "es"}
    story = {n: a["story_id"] for n, a in articles.items()}
    assert story["port_en.txt"] == story["port_es.txt"] == story["port_fr.txt"]
    assert story["strike_es.txt"] != story["port_en.txt"]
    shown = run_cli(["story", story["port_en.txt"], "--db", str(db)]).stdout
    assert "Diario Andino (es)" in shown and "Courrier du Sud (fr)" in shown
    assert "Lakeside Wire (en)" in shown


def test_demo_report_cites_the_spanish_and_french_articles(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    assert run_cli(["demo", "--db", str(db)]).exit_code == 0
    report = json.loads(run_cli(["report", "--country", "VEN", "--db", str(db), "--format",
                                 "json"]).stdout)
    cited = {(s["outlet"], s["language"]) for cp in report["counterparts"]
             for s in cp["sentences"]}
    assert ("Diario del Caribe", "es") in cited
    assert ("Le Courrier des Amériques", "fr") in cited
    events = [json.loads(x) for x in run_cli(["events", "--db", str(db), "--format",
                                              "jsonl"]).stdout.splitlines()]
    spanish = [e for e in events if e["language"] == "es"]
    assert spanish and all(e["sentence"] in (LANGUAGE_DIR.parents[3] / "realpolitik" / "demo"
                                             / "corpus" / "ven_diario_del_caribe_es.txt"
                                             ).read_text(encoding="utf-8") for e in spanish)
