"""Deployment files: a locked install, a pinned base image, hardened manifests, no secrets."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_file_pins_every_dependency_with_hashes_and_make_uses_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    assert wanted <= pinned, f"not in requirements.lock: {sorted(wanted - pinned)}"
    assert "--hash=sha256:" in lock
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile


def test_the_image_is_pinned_by_digest_and_installs_the_lock() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    image = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert image is not None and re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", image[1])
    assert all(
        line.strip() == "FROM ${PYTHON_IMAGE}" or "AS build" in line
        for line in dockerfile.splitlines()
        if line.startswith("FROM")
    )
    assert "--require-hashes -r requirements.lock" in dockerfile


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]
    pod = (
        spec["template"]["spec"]
        if "template" in spec
        else spec["jobTemplate"]["spec"]["template"]["spec"]
    )
    return list(pod["containers"])


def test_kubernetes_containers_are_locked_down_and_never_latest() -> None:
    for name in ("deployment.yaml", "cronjob.yaml"):
        doc = yaml.safe_load((DEPLOY / "k8s" / name).read_text())
        for container in _containers(doc):
            assert not container["image"].endswith(":latest") and ":" in container["image"]
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
    deployment = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text())
    [container] = _containers(deployment)
    limit = container["resources"]["limits"]["memory"]
    assert int(limit.removesuffix("Mi")) >= 512  # the grammar checker lives in this process
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["metrics"] != ports["http"]
    service = yaml.safe_load((DEPLOY / "k8s" / "service.yaml").read_text())
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]


def test_compose_takes_the_database_password_from_the_environment() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    url = compose["services"]["termcoach"]["environment"]["TERMCOACH_DATABASE_URL"]
    assert ":${POSTGRES_PASSWORD" in url
