"""The lock files hold what pyproject.toml asks for (issue 12, point 10).

`make install` and CI install requirements/dev.lock, the production image requirements/prod.lock,
both with every file's hash checked. A dependency added to pyproject.toml without `make lock` would
be missing from both: this test says so first. (That the floors in pyproject.toml still work is
`make test-lowest`, CI's last step.)
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {
    name: [Requirement(r) for r in reqs] for name, reqs in PROJECT["optional-dependencies"].items()
}
LOCKS = {
    "prod": (ROOT / "requirements/prod.lock", RUNTIME),
    "dev": (ROOT / "requirements/dev.lock", RUNTIME + EXTRAS["dev"] + EXTRAS["local"]),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
REGENERATE = "run `make lock` after changing pyproject.toml"


def pins(path: Path) -> dict[str, set[Version]]:
    """Package → the versions pinned (a universal lock may pin two, by Python version)."""
    found: dict[str, set[Version]] = defaultdict(set)
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match.group(1))].add(Version(match.group(2)))
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_dependency_is_locked_at_a_version_pyproject_allows(lock):
    path, requirements = LOCKS[lock]
    locked = pins(path)

    for requirement in requirements:
        versions = locked.get(canonicalize_name(requirement.name), set())
        assert versions, f"{requirement.name} is not in {path.name}: {REGENERATE}"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in versions), (
            f"{path.name} pins {requirement.name} {sorted(map(str, versions))}, "
            f"pyproject.toml asks {requirement.specifier}: {REGENERATE}"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_file_has_a_hash(lock):
    path, _requirements = LOCKS[lock]
    entries = re.split(r"\n(?=[A-Za-z0-9])", path.read_text())

    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]

    assert unhashed == []


def test_the_production_lock_has_no_test_lint_or_local_tools():
    runtime_names = {canonicalize_name(r.name) for r in RUNTIME}
    tools = {canonicalize_name(r.name) for r in EXTRAS["dev"] + EXTRAS["local"] + EXTRAS["load"]}

    assert set(pins(LOCKS["prod"][0])) & (tools - runtime_names) == set()


def test_production_and_dev_locks_pin_the_same_versions():
    prod, dev = pins(LOCKS["prod"][0]), pins(LOCKS["dev"][0])

    assert {name: prod[name] for name in prod} == {name: dev.get(name) for name in prod}
