"""Builds what the bench runs and measures its size: the three function binaries as Lambda
runs them (release profile of the workspace's Cargo.toml, x86_64-unknown-linux-gnu here) and
the bench's two yardsticks: the store floor (infra/bench/store-floor, a workspace member:
one conditional PutItem per event through the callback's own client) and the empty
`lambda_runtime` binary (infra/bench/empty-runtime, its own workspace and Cargo.lock, built
with the same profile into the same target dir).

    build.py <out.json>

Writes the binaries' paths, the profile used, and each binary's stripped and zipped size.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = ("purchase-token", "callback", "futurepay-sweep")
FLOOR = "store-floor"
EMPTY = "empty-runtime"
PROFILE_KEYS = ("opt-level", "lto", "codegen-units", "panic", "strip", "debug")


def release_profile():
    """[profile.release] of the workspace, with any CARGO_PROFILE_RELEASE_* override applied.
    (Read line by line: `key = value` lines of that one table, so any Python 3 will do.)"""
    profile, inside = {}, False
    for line in (REPO / "Cargo.toml").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            inside = line == "[profile.release]"
        elif inside and "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            if key in PROFILE_KEYS:
                profile[key] = value.strip('"')
    for key in PROFILE_KEYS:
        override = os.environ.get("CARGO_PROFILE_RELEASE_" + key.upper().replace("-", "_"))
        if override is not None:
            profile[key] = override
    return profile


def profile_env(profile):
    """The profile as CARGO_PROFILE_RELEASE_* variables, so the empty binary gets the same one."""
    env = dict(os.environ)
    for key, value in profile.items():
        env["CARGO_PROFILE_RELEASE_" + key.upper().replace("-", "_")] = value
    return env


def cargo(args, env):
    print(f"bench: cargo {' '.join(args)}", file=sys.stderr, flush=True)
    subprocess.run(["cargo", *args], cwd=REPO, env=env, check=True, stdout=sys.stderr)


def sizes(binary, scratch):
    """Bytes of a stripped copy and of a zip -9 (deflate level 9) holding it as `bootstrap`."""
    copy = scratch / f"{binary.name}.stripped"
    shutil.copyfile(binary, copy)
    if shutil.which("strip"):
        subprocess.run(["strip", str(copy)], check=True)
    archive = scratch / f"{binary.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        zipped.write(copy, "bootstrap")
    return {"stripped": copy.stat().st_size, "zipped": archive.stat().st_size}


def main(out):
    profile = release_profile()
    # One package per command, as sam build does: one command for all three would unify
    # their features and link the sweep's remote-admin client into every function.
    for name in (*FUNCTIONS, FLOOR):
        cargo(["build", "--release", "--locked", "-p", name], dict(os.environ))
    env = profile_env(profile)
    manifest = REPO / "infra/bench" / EMPTY / "Cargo.toml"
    env["CARGO_TARGET_DIR"] = str(REPO / "target")  # the one target dir, no second one
    cargo(["build", "--release", "--locked", "--manifest-path", str(manifest)], env)
    release = REPO / "target/release"
    scratch = REPO / "target/tmp/bench"
    scratch.mkdir(parents=True, exist_ok=True)
    binaries = {name: release / name for name in (*FUNCTIONS, FLOOR, EMPTY)}
    result = {
        "profile": profile,
        "target": subprocess.run(
            ["rustc", "-vV"], capture_output=True, text=True, check=True
        ).stdout.split("host: ")[1].split()[0],
        "binaries": {name: str(path) for name, path in binaries.items()},
        "sizes": {name: sizes(path, scratch) for name, path in binaries.items()},
    }
    Path(out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
