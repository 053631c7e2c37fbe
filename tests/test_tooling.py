"""`make` finds a Python >= 3.12 by itself, or says clearly what it needs."""

import shutil
import subprocess
import sys

from django.conf import settings

FIND = settings.BASE_DIR / "bin" / "find-python"


def run(tmp_path):
    """Run the finder with a PATH that has the shell tools it uses but no Python."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ["ls", "sort"]:
        (tools / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(tools), "PYENV_ROOT": str(tmp_path / "pyenv"), "HOME": str(tmp_path)}
    return subprocess.run(["/bin/sh", str(FIND)], env=env, capture_output=True, text=True)


def test_finds_a_suitable_python_under_pyenv_when_none_is_on_path(tmp_path):
    version = tmp_path / "pyenv" / "versions" / "3.12.9" / "bin"
    version.mkdir(parents=True)
    (version / "python").symlink_to(sys.executable)  # the interpreter running the tests is >= 3.12
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(version / "python")


def test_stops_with_a_clear_message_when_no_suitable_python_exists(tmp_path):
    old = tmp_path / "pyenv" / "versions" / "3.11.7" / "bin"
    old.mkdir(parents=True)
    (old / "python").write_text("#!/bin/sh\nexit 1\n")  # answers 'too old' to the version check
    (old / "python").chmod(0o755)
    result = run(tmp_path)
    assert result.returncode == 1
    assert "needs Python >= 3.12" in result.stderr
