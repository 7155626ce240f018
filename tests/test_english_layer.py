"""Each inflection rule on a few sentences where it must fire and a few where it must not.

The negative sentences include the guards found on correct English (the clean test sentences,
native docs, the pack's own texts): each would be a false alarm without its guard.
"""

from __future__ import annotations

import pytest

from bot.coach.english import layer
from bot.coach.english.agreement import AGREEMENT, PAST

# rule name -> (sentence, learner phrase, correction) where the rule must fire
POSITIVE: list[tuple[str, str, str, str]] = [
    (AGREEMENT, "The model predict the churn for every user.", "model predict", "model predicts"),
    (AGREEMENT, "The registry store all versions.", "registry store", "registry stores"),
    (AGREEMENT, "The predictions is stored in Redis.", "predictions is", "predictions are"),
    (AGREEMENT, "The metrics shows a drop.", "metrics shows", "metrics show"),
    (AGREEMENT, "The budget are too small.", "budget are", "budget is"),
    (AGREEMENT, "This model don't scale.", "model don't", "model doesn't"),
    (AGREEMENT, "Nobody know the owner.", "Nobody know", "Nobody knows"),
    (AGREEMENT, "When it change the schema, we retrain.", "it change", "it changes"),
    (PAST, "Yesterday the model predict the wrong class.", "model predict", "model predicted"),
    (PAST, "Yesterday we deploy the new model.", "we deploy", "we deployed"),
    (PAST, "Two days ago they train it again.", "they train", "they trained"),
    ("every + singular noun", "The job runs every days.", "every days", "every day"),
    ("every + singular noun", "We retrain every mondays.", "every mondays", "every Monday"),
    ("each + singular noun", "We review each dashboards twice.", "each dashboards", "each dashboard"),
    ("less/fewer", "The new version has less errors.", "less errors", "fewer errors"),
    ("much/many", "We got much requests today.", "much requests", "many requests"),
    ("passive: be + past participle", "The model was train on old data.", "was train", "was trained"),
    ("be + verb", "The latency is depend on the batch size.", "is depend", "depends"),
    ("present perfect", "We have deploy the model.", "have deploy", "have deployed"),
    (
        "past simple with a past-time word",
        "Yesterday we have deploy the model.",
        "have deploy",
        "deployed",
    ),
    ("do-support + base form", "Does the model supports batching?", "Does the model supports", "Does the model support"),
    ("do-support + base form", "The job doesn't works on Spark.", "doesn't works", "doesn't work"),
    ("gerund after preposition", "Check the data before to deploy it.", "before to deploy", "before deploying"),
    ("look forward to + -ing", "I look forward to hear from you.", "to hear", "to hearing"),
    ("plural after a number", "Last week we trained three model.", "three model", "three models"),
    ("there is/there are", "There is many features in the store.", "There is", "There are"),
    ("a/an", "We saw an 500 error.", "an 500", "a 500"),
    ("a/an", "It needs a 8 GB disk.", "a 8", "an 8"),
    # clause-level agreement: the subject's head and the clause's one possible finite verb
    (AGREEMENT, "Our review process take two days.", "process take", "process takes"),
    (AGREEMENT, "The platform engineers wants stable schemas.", "engineers wants", "engineers want"),
    (AGREEMENT, "Page 4 of the guide explain the rollback.", "guide explain", "guide explains"),
    (AGREEMENT, "Check that the nightly jobs really has finished.", "jobs really has", "jobs really have"),
    (AGREEMENT, "Old dashboards shows nothing useful.", "dashboards shows", "dashboards show"),
    (AGREEMENT, "We ask whether latency and cost goes down.", "cost goes", "cost go"),
    (AGREEMENT, "Its alerts fires too often.", "alerts fires", "alerts fire"),
    (AGREEMENT, "The batch window weren't long enough.", "window weren't", "window wasn't"),
    # word forms
    ("modal + base form", "Sadly we can't to ship it today.", "can't to ship", "can't ship"),
    ("modal + base form", "The on-call engineer will checking it.", "checking", "check"),
    ("do-support + base form", "The two counts didn't agreed.", "didn't agreed", "didn't agree"),
    ("every + singular noun", "We log every serving requests.", "every serving requests", "every serving request"),
    ("possessive determiner", "They rebuilt ours old pipeline.", "ours", "our"),
    ("much/many", "We saw much more failed jobs this week.", "much more", "many more"),
    ("than/then", "The queue is longer then our limit.", "then", "than"),
    ("than/then", "We got more tickets that before.", "that", "than"),
    ("word order (indirect question)", "Tell me why did the backfill stop.", "why did the backfill stop", "why the backfill stopped"),
    ("word order (indirect question)", "We log how big are the batches.", "how big are the batches", "how big the batches are"),
    # tenses and negatives
    ("present tense in a time clause", "Page me when the retraining will finish.", "when the retraining will finish", "when the retraining finishes"),
    ("irregular past tense", "The old model runned for a year.", "runned", "ran"),
    ("past participle after have", "A canary would have catch it.", "have catch", "have caught"),
    ("a few vs few", "The cache warms up in few minutes.", "few", "a few"),
    ("double negative", "Nobody can't deploy on Fridays.", "Nobody can't", "Nobody can"),
    ("adverb vs adjective", "The two exporters behave different now.", "different", "differently"),
    ("comparative", "The new index is more fast than the old one.", "more fast", "faster"),
]  # fmt: skip

# sentences where no layer rule may fire (the guard each one tests is named after it)
NEGATIVE: list[str] = [
    "The model predicts the churn for every user.",
    "Both models need more data.",  # `both need`: a plural subject
    "We run a feature store that serves online features.",  # `store that`: a relative clause
    "The YAML value sets the threshold.",  # `YAML value`: a compound noun, not a verb
    "The KS test compares two samples.",  # `KS test`: a compound noun
    "The 0.12 release fixed the bug.",  # `0.12` stays one number
    "We cannot meet the deadline.",  # `cannot meet`: a modal
    "Why did it happen?",  # after an auxiliary the verb is bare
    "Could someone rebuild the same model next year?",
    "How do you know what it saw?",
    "Where do the values go?",  # `values` after `the` is a noun
    "Where do I find the details?",  # `find` is the question's verb
    "What is drift?",  # a noun after `is`, not a passive
    "The share of fraud caught is recall.",
    "The credit model is down.",
    "Our deep model beat the baseline last year.",  # `beat` may be past
    "The other 45 were approved.",  # a count is plural
    "The SR 11-7 guidance expects an inventory.",  # a number inside a code
    "The SLO says that 99 out of 100 requests are fast.",  # `out` is no noun here
    "There are two versions, and each points to one artifact.",  # `each` as subject
    "The inputs look the same as last year.",  # `as last year` is a comparison
    "A registry of feature definitions and their owners is the place to look.",  # after `and`
    "We wait a few seconds and the model is ready.",
    "The team makes it change every week.",  # `make it change`: a bare infinitive
    "Every one of the models failed.",
    "More or less errors would be fine.",  # `more or less`
    "Version 3 model is live.",  # the number names a version
    "If the new scoring model returns bad scores, roll it back.",  # `it` after a verb: object
    "The serving code loads models from the registry.",  # a mass noun takes verb+s
    "The warehouse needs seconds to answer.",  # the verb is there and agrees
    "The offline store keeps every value.",  # `keeps` is the verb, not a plural object
    "Our readiness probe only checks the port.",  # `only` is no adjective of the object
    "The challenger and the champion are scored on one set.",  # one coordinated subject
    "Feast apply, materialize and serve.",  # a list, not a sentence
    "Version 13 only gets the tag after the test.",  # `version 13` is a name
    "Every time someone trains a model, the run is logged.",  # `time` is the noun
    "The job runs every five minutes.",  # a count after `every`
    "We don't know if it will work.",  # `if` = whether: `will` is right
    "Few people read the runbook.",  # `few` = not many
    "How do we watch for it?",  # a direct question
    "First the tests run, then the canary starts.",  # `then` in a sequence
    "Our notes mention compare runs.",  # `mention` is the verb, and it agrees
    "We get many more young customers than before.",  # more customers who are young
    "The two exports look different.",  # a linking verb takes the adjective
]


@pytest.mark.parametrize(("rule", "text", "wrong", "right"), POSITIVE, ids=[p[1] for p in POSITIVE])
def test_the_rule_fires(rule: str, text: str, wrong: str, right: str) -> None:
    found = [(text[f.start : f.end], f.replacement, f.rule) for f in layer.check(text)]
    assert (wrong, right, rule) in found, found


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_rule_fires_on_correct_english(text: str) -> None:
    assert layer.check(text) == []


def test_the_first_rule_to_claim_a_phrase_keeps_it() -> None:
    found = layer.check("The predictions is stored and the model predict the churn.")
    spans = [(f.start, f.end) for f in found]
    assert all(a[1] <= b[0] for a, b in zip(sorted(spans), sorted(spans)[1:], strict=False))
    assert len(found) == 2


def test_a_past_time_word_counts_in_its_own_sentence_only() -> None:
    found = layer.check("Yesterday the job failed. Today the model predict the churn.")
    assert [(f.rule, f.replacement) for f in found] == [(AGREEMENT, "model predicts")]
