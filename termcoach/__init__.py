"""termcoach's composition root: the CLI, the runtime that wires engine and adapters, the HTTP server."""
