from app.generation.candidates import Candidate, GenerationResult, rank


def c(text, score, greedy=False, on_topic=True, elapsed=0.1):
    return Candidate(text, score, 5, greedy=greedy, elapsed_s=elapsed, on_topic=on_topic)


def test_best_score_first():
    ranked = rank([c("b", -1.0), c("a", -0.2, greedy=True), c("c", -0.5)], 3)
    assert [x.text for x in ranked] == ["a", "c", "b"]


def test_greedy_keeps_a_place_even_when_its_score_is_low():
    ranked = rank([c("g", -3.0, greedy=True), c("a", -0.1), c("b", -0.2), c("d", -0.3)], 3)
    assert "g" in [x.text for x in ranked]
    assert len(ranked) == 3 and ranked[0].text == "a"


def test_answers_that_ignore_the_keywords_go_last():
    ranked = rank([c("copy", -0.1, greedy=True, on_topic=False), c("ok", -0.5)], 2)
    assert [x.text for x in ranked] == ["ok", "copy"]


def test_result_reports_first_candidate_time():
    r = GenerationResult([c("a", -1, elapsed=0.3), c("b", -2, elapsed=0.1)], "es", ("a",))
    assert r.first_candidate_s == 0.1
    assert r.texts == ["a", "b"]
    assert GenerationResult([], "es", ()).first_candidate_s is None
