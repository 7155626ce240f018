"""The dialogue engine and its features: platform-neutral tutoring (see docs/ARCHITECTURE.md)."""
