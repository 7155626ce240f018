"""Content packs: YAML files validated by pydantic, loaded once, looked up by stable ids."""
