"""The daily term: subscriptions, the post, the due-finder, exactly-once delivery and pacing.

- `schedule`: pure time arithmetic (due today? DST, weekdays, catch-up window).
- `order`: which term a subscription posts next (a seeded walk of the pack).
- `post`: the post itself and its buttons; `commands`: the ``daily`` command.
- `store`: subscriptions and the delivery log; `service`: one delivery pass.
- `pacing`, `lock`: platform rate limits and the one-broadcaster lock; `scheduler`: APScheduler.
"""
