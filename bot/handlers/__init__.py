"""Command handlers that are not activities (help, term cards, topics, stats)."""
