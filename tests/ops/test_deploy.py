"""The deployment: the systemd unit passes `systemd-analyze verify` and scores <= 2.0 in
`systemd-analyze security`, install.sh is repeatable, the production config example validates,
and check-config starts without the heavy libraries."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "replyclock.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed (Debian: apt-get install -y systemd)"
)
CREDENTIALS = ("x_bearer_token", "fb_page_token", "slack_bot_token", "slack_app_token", "pg_password")


def run(*cmd: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload]


@needs_analyze
def test_unit_exposure_is_at_most_2() -> None:
    result = run(ANALYZE, "security", "--offline=yes", UNIT)
    print(result.stdout[-1500:], result.stderr)  # the CI log shows the table's tail and the score
    match = re.search(r"Overall exposure level for replyclock\.service: (\d+\.\d+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0, result.stdout
    assert "Unknown key" not in result.stderr and "Unknown lvalue" not in result.stderr, result.stderr


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    """install.sh run twice into a temporary root, as onto a server (pip offline: a wheel of this checkout)."""
    work = tmp_path_factory.mktemp("work")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", "var", ".git", "*cache*", "build", "dist"))
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", work, source)
    assert built.returncode == 0, built.stderr
    wheel = next(work.glob("replyclock-*.whl"))
    root = work / "root"
    args = ["--root", root, "--python", sys.executable, "--package", wheel, "--pip-args", "--no-index --no-deps"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    for attempt in (1, 2):
        result = run(REPO / "deploy" / "install.sh", *args, env=env)
        assert result.returncode == 0, f"run {attempt}:\n{result.stdout}\n{result.stderr}"
        if attempt == 1:
            config = root / "etc/replyclock/config.yaml"
            config.write_text(config.read_text() + "# edited by the operator\n")
            (root / "etc/replyclock/credentials/slack_bot_token").write_text("xoxb-kept\n")
    assert "keeping" in result.stdout
    return root


def test_install_is_repeatable_and_keeps_config_and_credentials(staged) -> None:
    etc = staged / "etc/replyclock"
    assert (etc / "config.yaml").read_text().endswith("# edited by the operator\n")
    assert (etc / "credentials/slack_bot_token").read_text() == "xoxb-kept\n"
    assert (etc / "credentials").stat().st_mode & 0o777 == 0o700
    for name in CREDENTIALS:
        assert (etc / "credentials" / name).stat().st_mode & 0o777 == 0o600
    assert (staged / "etc/systemd/system/replyclock.service").read_text() == UNIT.read_text()
    assert os.access(staged / "opt/replyclock/venv/bin/replyclock", os.X_OK)
    wrapper = (staged / "usr/local/bin/replyclock").read_text()
    assert "CREDENTIALS_DIRECTORY:=/etc/replyclock/credentials" in wrapper
    # check-config reads the installed unit's LoadCredential= lines (a missing file fails the start: 243)
    assert "REPLYCLOCK_UNIT:=/etc/systemd/system/replyclock.service" in wrapper
    assert re.search(r"^export .*\bREPLYCLOCK_UNIT\b", wrapper, re.M), wrapper
    # every LoadCredential= names a file install.sh creates
    loaded = re.findall(r"^LoadCredential=(\w+):/etc/replyclock/credentials/(\w+)$", UNIT.read_text(), re.M)
    assert sorted(a for a, b in loaded if a == b) == sorted(CREDENTIALS)


def test_staged_scripts_point_where_the_tree_will_live(staged) -> None:
    # a --root tree is copied to / by a package: a #! naming the staging folder fails ExecStart= (203/EXEC)
    scripts = [p for p in (staged / "opt/replyclock/venv/bin").iterdir() if p.is_file() and not p.is_symlink()]
    assert any(p.name == "replyclock" for p in scripts)
    for script in scripts:
        text = script.read_bytes()
        assert str(staged).encode() not in text, script.name
    first = (staged / "opt/replyclock/venv/bin/replyclock").read_text().splitlines()[0]
    assert first == "#!/opt/replyclock/venv/bin/python"


@needs_analyze
def test_unit_verifies_clean_against_the_installed_tree(staged) -> None:
    # verify checks that ExecStart= exists: it runs against the staged root, where install.sh
    # put the virtualenv, with the host's own units (targets, sockets) copied beside ours.
    units = staged / "usr/lib/systemd/system"
    if not units.exists():
        shutil.copytree("/usr/lib/systemd/system", units, symlinks=True)
    result = run(ANALYZE, "verify", f"--root={staged}", "replyclock.service")
    print("systemd-analyze verify:", result.returncode, result.stdout, result.stderr)
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr.strip() == "", result.stderr


def test_exec_start_takes_the_documented_log_format_and_a_usage_error_is_not_restarted() -> None:
    # docs/deploy.md: "add `--log-format json` to `ExecStart=`"; appended after `run` it was a usage
    # error (exit 2), which Restart=on-failure retried every 10 s for ever
    import daemon

    unit = UNIT.read_text()
    [exec_start] = re.findall(r"^ExecStart=\S+ (.*)$", unit, re.M)
    args = daemon._parser().parse_args([*exec_start.split(), "--log-format", "json"])
    assert (args.command, args.config, args.log_format) == ("run", "/etc/replyclock/config.yaml", "json")
    [prevented] = re.findall(r"^RestartPreventExitStatus=(.*)$", unit, re.M)
    assert {"2", "78"} <= set(prevented.split())


def test_production_config_example_validates_with_credentials(tmp_path) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    for name in CREDENTIALS:
        (creds / name).write_text(f"{name}-value-123456\n")
    env = {**os.environ, "CREDENTIALS_DIRECTORY": str(creds)}
    result = run(
        sys.executable, REPO / "daemon.py", "--config", REPO / "deploy/config.example.yaml", "check-config", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite:////var/lib/replyclock/replyclock.db" in result.stdout
    assert "slack_bot_token-value" not in result.stdout  # secrets masked
    (creds / "slack_bot_token").write_text("")  # install.sh's empty placeholder: a clear config error
    result = run(sys.executable, REPO / "daemon.py", "--config", REPO / "deploy/config.example.yaml", "run", env=env)
    assert result.returncode == 78, result.stderr
    assert "slack.bot_token" in result.stderr and "is empty" in result.stderr


def test_check_config_imports_no_heavy_library() -> None:
    probe = (
        "import sys, json; import daemon; rc = daemon.main(['--config', 'config.yaml', 'check-config']);"
        "print(json.dumps([rc, sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'transformers', 'tokenizers', 'onnxruntime', 'prometheus_client', 'tweepy', 'facebook',"
        " 'slack_sdk'})]), file=sys.stderr)"
    )
    result = run(sys.executable, "-c", probe, cwd=REPO)
    rc, heavy = json.loads(result.stderr.strip().splitlines()[-1])
    assert rc == 0 and heavy == []


def test_the_units_credentials_are_the_files_systemd_must_open() -> None:
    from monitor.systemd import unit_credentials

    found = unit_credentials(UNIT.read_text(encoding="utf-8"))
    assert found == [(name, Path("/etc/replyclock/credentials") / name) for name in CREDENTIALS]
    # an empty assignment resets the list (systemd's rule for list settings); comments and other sections count not
    text = "[Service]\nLoadCredential=a:/x/a\n# LoadCredential=b:/x/b\nLoadCredential=\nLoadCredential = c:/x/c\n"
    text += "LoadCredential=inherited\nLoadCredentialEncrypted=d:/x/d.cred\n[Install]\nLoadCredential=e:/x/e\n"
    assert unit_credentials(text) == [("c", Path("/x/c")), ("d", Path("/x/d.cred"))]


def _unit_loading(tmp_path: Path, creds: Path) -> Path:
    """The shipped unit with its credential files moved to `creds` (what systemd would open)."""
    unit = tmp_path / "replyclock.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/etc/replyclock/credentials", str(creds)))
    return unit


def test_check_config_names_a_credential_file_the_unit_loads_that_is_missing(tmp_path) -> None:
    """The operator deleted x_bearer_token (X disabled, the config no longer reads it): systemd fails
    the start with 243/CREDENTIALS before replyclock runs, while check-config said OK."""
    creds = tmp_path / "creds"
    creds.mkdir()
    for name in CREDENTIALS:
        (creds / name).write_text(f"{name}-value-123456\n")
    unit = _unit_loading(tmp_path, creds)
    env = {**os.environ, "CREDENTIALS_DIRECTORY": str(creds), "REPLYCLOCK_UNIT": str(unit)}
    x_on = "    enabled: true\n    bearer_token: file:${CREDENTIALS_DIRECTORY}/x_bearer_token\n"
    example = (REPO / "deploy/config.example.yaml").read_text(encoding="utf-8")
    assert x_on in example
    cfg = tmp_path / "config.yaml"
    cfg.write_text(example.replace(x_on, "    enabled: false\n    bearer_token: null\n"), encoding="utf-8")
    check = (sys.executable, REPO / "daemon.py", "--config", cfg, "check-config")
    assert run(*check, env=env).returncode == 0
    (creds / "x_bearer_token").unlink()
    (creds / "pg_password").unlink()
    result = run(*check, env=env)
    assert result.returncode == 78, result.stdout + result.stderr
    assert "OK" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    for line, name in zip(lines, ("x_bearer_token", "pg_password"), strict=True):
        assert line.startswith(f"replyclock: {unit}: LoadCredential={name}: {creds / name} does not exist"), line
        assert "243/CREDENTIALS" in line and f"sudo install -m 0600 /dev/null {creds / name}" in line, line


def test_check_config_without_the_unit_checks_no_credentials(tmp_path) -> None:
    # outside the installed wrapper (a checkout, a container) there is no unit to read; a unit named but
    # unreadable is said once on stderr and checks nothing
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sources:\n  replay:\n    enabled: false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REPLYCLOCK_UNIT"}
    assert run(sys.executable, REPO / "daemon.py", "--config", cfg, "check-config", env=env).returncode == 0
    env["REPLYCLOCK_UNIT"] = str(tmp_path / "none.service")
    result = run(sys.executable, REPO / "daemon.py", "--config", cfg, "check-config", env=env)
    assert result.returncode == 0 and "cannot read the unit" in result.stderr, result.stderr
