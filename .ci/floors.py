"""The dependency floors of pyproject.toml against .ci/constraints-lowest.txt.

    python .ci/floors.py check         every runtime dependency is pinned; each pin == its floor
    python .ci/floors.py requirements  the extras' requirements that are pinned (to install)
    python .ci/floors.py installed     the installed versions are exactly the pins
    python .ci/floors.py pythons       the Python versions of the classifiers (one per line),
                                       checked against requires-python
    python .ci/floors.py claimed       those, then the next two minor versions, which the
                                       open-ended requires-python claims too

Runs on the standard library plus pip's vendored tomli/packaging (Python 3.10 has no tomllib),
so it works in a fresh venv before anything else is installed.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

try:
    from packaging.requirements import Requirement
    from packaging.version import Version
except ImportError:
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / ".ci" / "constraints-lowest.txt"
# pinned for the resolver's sake only, not a dependency of aios3 (see the constraints file)
NOT_DEPENDENCIES = {"boto3"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, Version]:
    out: dict[str, Version] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or "[" in name:
            sys.exit(f"{CONSTRAINTS.name}: not a plain name==version pin: {line!r}")
        out[norm(name)] = Version(version.strip())
    return out


def project() -> tuple[list[Requirement], dict[str, list[Requirement]]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name = norm(data["name"])
    runtime = [Requirement(r) for r in data["dependencies"]]
    extras = {
        extra: [r for r in map(Requirement, reqs) if norm(r.name) != name]
        for extra, reqs in data.get("optional-dependencies", {}).items()
    }
    return runtime, extras


def floor(req: Requirement) -> Version | None:
    lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
    return max(lows) if lows else None


def check() -> int:
    pinned = pins()
    runtime, extras = project()
    errors: list[str] = []
    seen: set[str] = set()
    rows = [("runtime", r) for r in runtime] + [
        (extra, r) for extra, reqs in extras.items() for r in reqs
    ]
    for where, req in rows:
        key = norm(req.name)
        low = floor(req)
        if key not in pinned:
            if where == "runtime":
                errors.append(f"runtime dependency {req} has no pin in {CONSTRAINTS.name}")
            elif key not in seen:
                print(f"  {req.name:<22} {low or '-'!s:<10} tool, not measured ({where})")
            seen.add(key)
            continue
        seen.add(key)
        if low != pinned[key]:
            errors.append(f"{req} ({where}): floor {low} but {CONSTRAINTS.name} pins {pinned[key]}")
        else:
            print(f"  {req.name:<22} {low!s:<10} measured ({where})")
    for key in sorted(set(pinned) - seen - NOT_DEPENDENCIES):
        errors.append(f"{CONSTRAINTS.name} pins {key}, which pyproject.toml does not declare")
    for e in errors:
        print("error:", e, file=sys.stderr)
    return 1 if errors else 0


def requirements() -> int:
    pinned = pins()
    _, extras = project()
    out = {str(r) for reqs in extras.values() for r in reqs if norm(r.name) in pinned}
    print("\n".join(sorted(out)))
    return 0


def installed() -> int:
    errors = []
    for key, want in sorted(pins().items()):
        try:
            have = Version(metadata.version(key))
        except metadata.PackageNotFoundError:
            errors.append(f"{key}: not installed (pinned {want})")
            continue
        if have != want:
            errors.append(f"{key}: {have} installed, {want} pinned")
        else:
            print(f"  {key}=={have}")
    for e in errors:
        print("error:", e, file=sys.stderr)
    return 1 if errors else 0


def _pythons() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: "
    tails = [c[len(prefix) :] for c in data["classifiers"] if c.startswith(prefix)]
    versions = sorted((t for t in tails if re.fullmatch(r"3\.\d+", t)), key=Version)
    if not versions:
        sys.exit("pyproject.toml: no 'Programming Language :: Python :: 3.X' classifiers")
    requires = data["requires-python"]
    if requires != f">={versions[0]}":
        sys.exit(f"requires-python is {requires!r} but the lowest classifier is {versions[0]}")
    return versions


def pythons() -> int:
    print("\n".join(_pythons()))
    return 0


def claimed() -> int:
    versions = _pythons()
    major, minor = map(int, versions[-1].split("."))
    print("\n".join([*versions, f"{major}.{minor + 1}", f"{major}.{minor + 2}"]))
    return 0


if __name__ == "__main__":
    commands = {
        "check": check,
        "requirements": requirements,
        "installed": installed,
        "pythons": pythons,
        "claimed": claimed,
    }
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(commands)}}}")
    sys.exit(commands[sys.argv[1]]())
