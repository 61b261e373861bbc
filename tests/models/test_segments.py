"""Posts of several sentences are read whole and part by part: one bad sentence is enough."""

from __future__ import annotations

from models import segments
from models.classifier import HateClassifier
from tests.models.fakes import FakeEmbedder

FILLER = ("lovely weather at the park today. the match last night was great. "
          "our book club meets on tuesday. traffic is slow on the bridge.")


def test_sentences_split_on_stops_and_line_breaks_and_keep_closing_quotes() -> None:
    assert segments.sentences("I know where he lives. His house goes up on Friday!") == [
        "I know where he lives.", "His house goes up on Friday!"]
    assert segments.sentences("New family at 14\nMuslims, of course\nGive it a month") == [
        "New family at 14", "Muslims, of course", "Give it a month"]
    assert segments.sentences('He shouted "I will burn you all." Police want witnesses.') == [
        'He shouted "I will burn you all."', "Police want witnesses."]


def test_fragments_and_bare_quotations_are_never_read_alone() -> None:
    # A quotation belongs to the sentence that frames it (counter-speech, news reports).
    assert segments.sentences('"Burn them all." That is what someone wrote on our page.') == [
        '"Burn them all." That is what someone wrote on our page.']
    assert segments.sentences("Yes. Mr. Smith said hi to everyone today.") == [
        "Yes. Mr. Smith said hi to everyone today."]
    assert segments.sentences("Lol.") == ["Lol."]


def test_parts_one_sentence_none_then_sentences_then_windows_bounded() -> None:
    assert segments.parts("just one sentence here") == []
    two = segments.parts("First one is here. Second one is here.")
    assert two == ["First one is here.", "Second one is here."]
    three = segments.parts("A b c. D e f. G h i.")
    assert three == ["A b c.", "D e f.", "G h i.", "A b c. D e f.", "D e f. G h i."]
    long_post = " ".join(f"Sentence number {i} is here." for i in range(40))
    assert len(segments.parts(long_post)) == segments.MAX_PARTS


def test_one_threatening_sentence_among_chatter_decides_and_is_named(
        trained: HateClassifier) -> None:
    alone = trained.predict([FILLER])[0]
    (post,) = trained.predict([f"{FILLER} kill every member of group alpha."])
    assert alone.severity == "none"
    assert post.severity == "threat" and post.p_hate >= trained.options.threshold
    assert post.explanation["read"]["driver"] == "kill every member of group alpha."
    assert "driven by the part" in post.explanation["summary"]
    assert alone.explanation["read"]["parts"] == 4 + 3  # four sentences, three windows
    assert trained.predict(["a single calm sentence"])[0].explanation["read"] == {
        "parts": 0, "driver": "whole post", "why": post.explanation["read"]["why"]}


def test_parts_are_scored_in_the_same_encoder_call(trained: HateClassifier,
                                                   fake_embedder: FakeEmbedder) -> None:
    before = fake_embedder.calls
    trained.predict([f"{FILLER} group beta are filthy vermin.", "a single calm sentence",
                     "another calm one. and a second calm sentence here."])
    assert fake_embedder.calls == before + 1
