"""Slack for termcoach, in modules that each hold one part of the job.

- `inbound`: a Slack request body to an engine message and a reply target (pure translation,
  and the admin policy of TERMCOACH_SLACK_ADMINS);
- `render`: a reply as Block Kit (pure); `home`: the App Home tab from the engine's progress;
- `deliver`: replies shown in Slack (posts, ephemerals, response URLs, in-place updates) and
  what a failure means (`errors`); `questions`: where each question was shown, in the database;
- `oauth`: the scopes, and bolt's installation and OAuth state stores (tokens encrypted);
- `app`: the `SlackAdapter` itself: bolt's app, its listeners, start and stop.
"""

from adapters.slack.app import PACING, SlackAdapter
from adapters.slack.errors import SlackConfigError, classify_error
from adapters.slack.inbound import Pressed, Target, target_for, to_inbound
from adapters.slack.oauth import BOT_SCOPES
from adapters.slack.render import render

__all__ = [
    "BOT_SCOPES",
    "PACING",
    "Pressed",
    "SlackAdapter",
    "SlackConfigError",
    "Target",
    "classify_error",
    "render",
    "target_for",
    "to_inbound",
]
