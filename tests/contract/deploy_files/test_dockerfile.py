"""The Dockerfile builds ONE image without the `embedded`/`dev` extras, runs as a numeric
non-root user and bakes in no secret; the build context holds only what the image runs."""

from __future__ import annotations

import re

from tests.contract.deploy_files.settings import DOCKERFILE, DOCKERIGNORE, ROOT


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (ln.strip() for ln in text.splitlines())
    return [
        (ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "")
        for ln in lines
        if ln and not ln.startswith("#")
    ]


def test_dockerfile_builds_one_production_image() -> None:
    steps = dockerfile_instructions()
    arg_defaults = dict(a.split("=", 1) for kind, a in steps if kind == "ARG" and "=" in a)
    bases = [a.split()[0] for kind, a in steps if kind == "FROM"]
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for base in bases:
        image = re.sub(r"\$\{(\w+)\}", lambda m: arg_defaults[m.group(1)], base)
        assert image.startswith("python:3.11-slim"), base

    runs = " ".join(a for kind, a in steps if kind == "RUN")
    assert "pip install" in runs
    assert "-c constraints.txt" in runs, "installs are pinned by constraints.txt"
    assert not re.search(r"\[[^\]]*(embedded|dev)[^\]]*\]", runs), "no embedded/dev extras"
    assert "['project']['dependencies']" in runs, "dependencies come from pyproject.toml"

    final_stage = steps[max(i for i, (kind, _) in enumerate(steps) if kind == "FROM") :]
    users = [a for kind, a in final_stage if kind == "USER"]
    assert users, "the runtime stage sets USER"
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), "numeric non-root USER (runAsNonRoot)"
    assert ("ENTRYPOINT", '["imet"]') in final_stage

    for kind, args in steps:
        if kind in ("ENV", "ARG"):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|PRIVATE|_KEY)\b", args.upper()), args
    for kind, args in steps:
        if kind == "COPY" and "--from" not in args:
            for source in args.split()[:-1]:
                assert source == "." or (ROOT / source).exists(), f"COPY of a missing {source}"


def test_dockerignore_sends_only_what_the_image_runs() -> None:
    rules = [
        ln.strip() for ln in DOCKERIGNORE.read_text().splitlines() if ln.strip()[:1] not in "#"
    ]
    assert rules[0] == "**", "deny everything first, then re-include"
    included = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert {"pyproject.toml", "constraints.txt", "shared", "imet", "services"} <= included
    assert not included & {".git", ".venv", "var", "tests", "deploy", "bench"}
    assert "services/*/tests/" in rules
