"""Fixed learner phrases as Weir rules (Harper's rule language), and the Weirpack that holds them.

Each rule matches a phrase B1-B2 engineers write (`depend of`, `explain me`, `must to`) and
replaces it with fixed text. The rules are data: Harper runs them inside the same Linter, and
runs each rule's `test` lines when the pack is loaded; a failing test means the pack is not
loaded, which `load_weirpack` turns into an error at start-up.

Weir syntax used here: `$word` for every inflection of a word, `[a, b]` for alternatives,
`(...)` for a sequence, `!x` for "not x", UPOS tags such as `VERB`, and a filter `<(phrase), x>`
that matches the phrase but replaces only `x`. The second part of a filter may be one token, a
word sequence or `( )` (the space); `(to ( ))` and `(( ) to)` never matched. `becomes` is fixed
text: rules that must inflect a word live in `bot.coach.english.layer`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache

import harper


class WeirpackError(RuntimeError):
    """The learner-phrase rules failed their own tests, or Harper could not read the pack."""


@dataclass(frozen=True, slots=True)
class WeirRule:
    """One Weir rule.

    Attributes:
        name: The rule's name in Harper (the file's stem, also a lint-config key).
        expr: The Weir expression that finds the phrase.
        becomes: The text that replaces the match (or the filter's part).
        message: What Harper says about it.
        rule: The learner-facing rule name.
        tests: (input, expected output) pairs Harper checks on load.
        kind: Harper's lint kind.
    """

    name: str
    expr: str
    becomes: str
    message: str
    rule: str
    tests: tuple[tuple[str, str], ...]
    kind: str = "Grammar"

    def source(self) -> str:
        """The rule as a `.weir` file."""
        lines = [
            f"expr main {self.expr}",
            f'let message "{self.message}"',
            f'let description "{self.message}"',
            f'let kind "{self.kind}"',
            f'let becomes "{self.becomes}"',
            *(f'test "{given}" "{expected}"' for given, expected in self.tests),
        ]
        return "\n".join(lines) + "\n"


# Not `a`/`that`: `wait a minute`, `wait a few seconds`, `wait that long` are right.
_DETERMINERS = "the, my, our, your, their, his, her"
_ITS_ADJECTIVES = (
    "important, possible, necessary, easy, hard, difficult, better, clear, true, normal, common, "
    "ok, okay, fine, useful, impossible, likely, unlikely, time, enough"
)
_PURPOSE_VERBS = (
    "avoid, reduce, prevent, improve, detect, fix, ensure, compute, calculate, measure, monitor, "
    "check, get, make, keep, see, understand"
)

PHRASE_RULES: tuple[WeirRule, ...] = (
    WeirRule(
        "TcDependOf", "<($depend of), of>", "on", "We say `depend on`.", "preposition",
        (("It depends of the size.", "It depends on the size."),), "Usage",
    ),
    WeirRule(
        "TcResponsibleOf", "<(responsible of), of>", "for", "We say `responsible for`.",
        "preposition", (("He is responsible of it.", "He is responsible for it."),), "Usage",
    ),
    WeirRule(
        "TcDifferentOf", "<(different of), of>", "from", "We say `different from`.",
        "preposition", (("It is different of that.", "It is different from that."),), "Usage",
    ),
    WeirRule(
        "TcExplainMe", "<($explain [me, us, him, her, them]), ( )>", " to ",
        "We explain something *to* someone.", "verb pattern",
        (("Can you explain me how it works?", "Can you explain to me how it works?"),), "Usage",
    ),
    WeirRule(
        "TcWaitThe", f"<($wait [{_DETERMINERS}]), ( )>", " for ", "We say `wait for` something.",
        "preposition",
        (
            ("I'm waiting the approval.", "I'm waiting for the approval."),
            ("We can wait a few seconds.", "We can wait a few seconds."),
        ),
        "Usage",
    ),
    WeirRule(
        "TcAmAgree", "([am, are] agree)", "agree", "`agree` is a verb: `I agree`, not `I am agree`.",
        "be + verb", (("I am agree with it.", "I agree with it."),),
    ),
    WeirRule(
        "TcIsAgree", "(is agree)", "agrees", "`agree` is a verb: `she agrees`.", "be + verb",
        (("She is agree.", "She agrees."),),
    ),
    WeirRule(
        "TcDatas", "datas", "data", "`data` has no plural -s.", "uncountable noun",
        (("We lost datas.", "We lost data."),),
    ),
    WeirRule(
        "TcLookSame", "<([$look, $stay, $remain, is, are, was, were] same), ( )>", " the ",
        "We say `the same`.", "article", (("The data look same as before.", "The data look the same as before."),),
    ),
    WeirRule(
        "TcWithoutNo", "<(without no), without>", "with", "`without` is already negative: `with no`.",
        "double negation", (("It works without no code change.", "It works with no code change."),),
    ),
    WeirRule(
        "TcDoubleNegNone", "<([don't, doesn't, didn't, haven't, hasn't, won't, can't] VERB none), none>",
        "any", "Only one negative: `haven't ... any`.", "double negation",
        (("We haven't confirmed none of them.", "We haven't confirmed any of them."),),
    ),
    WeirRule(
        "TcPeoples", "peoples", "people", "`people` is already plural.", "irregular plural",
        (("Many peoples use it.", "Many people use it."),),
    ),
    WeirRule(
        "TcThereHave", "<(there have !been), have>", "are",
        "Use `there are` to say something exists.", "there is/there are",
        (
            ("There have many rows.", "There are many rows."),
            ("There have been many rows.", "There have been many rows."),
        ),
    ),
    WeirRule(
        "TcDoubleNegNo",
        "<([don't, doesn't, didn't, won't, can't, haven't, hasn't] VERB no), no>", "any",
        "Only one negative: `don't have any`.", "double negation",
        (("We don't have no alerts.", "We don't have any alerts."),),
    ),
    WeirRule(
        "TcDoubleNegNothing", "<([not, don't, doesn't, didn't, won't, can't] VERB nothing), nothing>",
        "anything", "Only one negative: `not ... anything`.", "double negation",
        (("It will not affect nothing.", "It will not affect anything."),),
    ),
    WeirRule(
        "TcItsAdjTo", f"<(its [{_ITS_ADJECTIVES}] [to, that]), its>", "it's", "`it's` = it is.",
        "its/it's",
        (
            ("Its important to do it.", "It's important to do it."),
            ("It lost its useful features.", "It lost its useful features."),
        ),
    ),
    WeirRule(
        "TcLooseLose",
        "<([to, not, will, should, can, could, must, might, don't, didn't, won't, never] loose), loose>",
        "lose", "`loose` is an adjective; the verb is `lose`.", "confused words",
        (("We should not loose it.", "We should not lose it."),), "Spelling",
    ),
    WeirRule(
        "TcItExist", "<(it [exist, exists] [a, an, many, some, no, two, several]), (it [exist, exists])>",
        "there is", "To say something exists, use `there is/are`.", "there is/there are",
        (("It exist a difference.", "There is a difference."),),
    ),
    WeirRule(
        "TcForVerb", f"<(for [{_PURPOSE_VERBS}]), for>", "to", "Use `to` + verb for a purpose.",
        "to-infinitive of purpose",
        (("We use it for avoid the skew.", "We use it to avoid the skew."),),
    ),
)  # fmt: skip

MODALS: tuple[str, ...] = ("must", "can", "should", "could", "might", "would")


def _modal_rules(modal: str) -> tuple[WeirRule, WeirRule]:
    """`must to update` -> `must update`, and `can you to check` -> `can you check`."""
    message = f"No `to` after `{modal}`."
    plain = WeirRule(
        f"Tc{modal.capitalize()}To",
        f"({modal} to)",
        modal,
        message,
        "modal + to",
        ((f"We {modal} to update the model.", f"We {modal} update the model."),),
    )
    # Removing `to` leaves two spaces; Harper's tests see them, the learner never does
    # (`bot.coach.english.phrases` collapses them).
    question = WeirRule(
        f"Tc{modal.capitalize()}YouTo", f"<({modal} [you, we, they, I] to), to>", "", message,
        "modal + to",
        ((f"{modal.capitalize()} you to check it?", f"{modal.capitalize()} you  check it?"),),
    )  # fmt: skip
    return plain, question


# Uncountable nouns learners give a plural that Harper's MassNouns misses (it has
# `informations`, `advices`, `feedbacks`, `softwares`, `equipments`, `knowledges`).
UNCOUNTABLE: tuple[str, ...] = ("evidence",)


def _uncountable_rule(noun: str) -> WeirRule:
    """`informations` -> `information`."""
    return WeirRule(
        f"Tc{noun.capitalize()}s", f"{noun}s", noun, f"`{noun}` has no plural -s.",
        "uncountable noun", ((f"We need more {noun}s here.", f"We need more {noun} here."),),
    )  # fmt: skip


RULES: tuple[WeirRule, ...] = (
    PHRASE_RULES
    + tuple(_uncountable_rule(noun) for noun in UNCOUNTABLE)
    + tuple(rule for modal in MODALS for rule in _modal_rules(modal))
)
RULES_BY_NAME: dict[str, WeirRule] = {rule.name: rule for rule in RULES}

_MANIFEST = {
    "author": "termcoach",
    "version": "1.0.0",
    "license": "MIT",
    "description": "Frequent B1-B2 learner phrases in ML platform chat",
}


@cache
def build_weirpack(rules: tuple[WeirRule, ...] = RULES) -> bytes:
    """The Weirpack: a zip of `manifest.json` and one `<name>.weir` file per rule.

    Args:
        rules: The rules to pack (all of them unless a test wants fewer).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as pack:
        pack.writestr("manifest.json", json.dumps(_MANIFEST))
        for rule in rules:
            pack.writestr(f"{rule.name}.weir", rule.source())
    return buffer.getvalue()


def load_weirpack(linter: harper.Linter, rules: tuple[WeirRule, ...] = RULES) -> None:
    """Load the rules into `linter`, Harper running every rule's tests first.

    Args:
        linter: The Linter to extend.
        rules: The rules to load.

    Raises:
        WeirpackError: A rule's test failed (nothing was loaded) or the pack is unreadable.
    """
    try:
        failures = linter.load_weirpack(build_weirpack(rules))
    except ValueError as exc:
        raise WeirpackError(f"Harper could not read the learner-phrase Weirpack: {exc}") from exc
    if failures:
        lines = [
            f"{name}: expected {f.get('expected')!r}, got {f.get('got')!r}"
            for name, found in sorted(failures.items())
            for f in found
        ]
        raise WeirpackError(
            "The learner-phrase rules failed their own tests, so none was loaded "
            "(bot/coach/english/weir.py):\n  " + "\n  ".join(lines)
        )
