"""The coach: judges an explanation by meaning, corrects the learner's English, scores it.

`Judge.assess(brief, messages) -> Feedback`; `score(feedback)` turns it into the parts and the
total, the same for every judge. `RubricJudge` works offline; `LlmJudge` asks a model.
"""
