"""What bench/compare and bench/scaling share: finding (or building) the release binary,
the configuration that turns script/shellcheck off, timing commands, a file generator and
a description of the machine. Python 3.11 standard library only."""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "real"))
WORK = os.path.join(ROOT, "target", "bench")


def release_binary(given: str | None) -> str:
    """The `pipelint` binary: `given`, else a fresh `cargo build --release -p pipelint_cli`
    in $CARGO_TARGET_DIR (default target/)."""
    if given:
        if not os.access(given, os.X_OK):
            sys.exit(f"bench: {given} is not an executable")
        return os.path.abspath(given)
    print("building: cargo build --release -p pipelint_cli", file=sys.stderr, flush=True)
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--locked", "-p", "pipelint_cli"],
        cwd=ROOT,
        check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "pipelint")


def bench_config() -> str:
    """A pipelint configuration with script/shellcheck off: that rule runs the external
    `shellcheck` program per step, which is shellcheck's time, not pipelint's. Passing it
    with `--config` also spares the search for pipelint.toml above each file."""
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, "no-shellcheck.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write('# Written by bench/benchutil.py.\n[rules]\n"script/shellcheck" = "off"\n')
    return path


def pipeline_files(directory: str) -> list[str]:
    """Every .yml/.yaml file under `directory`, sorted."""
    found = []
    for dirpath, _dirs, names in os.walk(directory):
        for name in names:
            if name.endswith((".yml", ".yaml")):
                found.append(os.path.join(dirpath, name))
    return sorted(found)


def count_lines(paths: list[str]) -> int:
    total = 0
    for p in paths:
        with open(p, "rb") as f:
            total += f.read().count(b"\n")
    return total


class Timing:
    """One run: wall-clock seconds, and the CPU seconds (user + system) the process and
    its children used. On a busy machine the wall clock says how long one waited; the CPU
    time says how much work the run was, and is steadier."""

    def __init__(self, wall: float, cpu: float):
        self.wall = wall
        self.cpu = cpu


def run_once(cmd: list[str]) -> Timing:
    """Times one run of `cmd`, its output discarded. Exit 1 (findings) is expected; 2 or
    more is not."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            sys.exit(f"bench: {cmd[0]} exited {proc.returncode}: {lines[-1] if lines else ''}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def medians(runs: list[Timing]) -> Timing:
    """The median wall time and the median CPU time of some runs."""
    return Timing(
        statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc), {model}, Python {platform.python_version()}"


def generated(lines: int) -> str:
    """A realistic pipeline file of at least `lines` lines: a definitions block with an
    anchored step and a service, then branch pipelines with merged steps, parallel groups,
    caches, artifacts, deployments and multi-line scripts."""
    parts = [
        "image: node:20\n"
        "options:\n"
        "  max-time: 30\n"
        "definitions:\n"
        "  caches:\n"
        "    npm: ~/.npm\n"
        "  services:\n"
        "    postgres:\n"
        "      image: postgres:16\n"
        "      memory: 1024\n"
        "      variables:\n"
        "        POSTGRES_PASSWORD: $DB_PASSWORD\n"
        "  steps:\n"
        "    - step: &unit\n"
        "        name: Unit tests\n"
        "        caches: [npm, node]\n"
        "        services: [postgres]\n"
        "        script:\n"
        "          - npm ci\n"
        "          - npm test -- --ci\n"
        "        artifacts:\n"
        "          - coverage/**\n"
        "pipelines:\n"
        "  default:\n"
        "    - step: *unit\n"
        "  branches:\n"
    ]
    written = parts[0].count("\n")
    n = 0
    while written < lines:
        block = (
            f"    'release/{n}.*':\n"
            f"      - step: *unit\n"
            f"      - parallel:\n"
            f"          steps:\n"
            f"            - step:\n"
            f"                <<: *unit\n"
            f"                name: Lint {n}\n"
            f"                script:\n"
            f"                  - npm run lint -- --max-warnings 0\n"
            f"            - step:\n"
            f"                name: Image {n}\n"
            f"                size: 2x\n"
            f"                services: [docker]\n"
            f"                script:\n"
            f"                  - docker build -t registry.example.com/app:{n} .\n"
            f"                  - |\n"
            f"                    if [ -n \"$BITBUCKET_TAG\" ]; then\n"
            f"                      docker push registry.example.com/app:{n}\n"
            f"                    fi\n"
            f"      - step:\n"
            f"          name: Deploy {n}\n"
            f"          deployment: env-{n}\n"
            f"          trigger: manual\n"
            f"          script:\n"
            f"            - ./scripts/deploy.sh \"env-{n}\"\n"
        )
        parts.append(block)
        written += block.count("\n")
        n += 1
    return "".join(parts)
