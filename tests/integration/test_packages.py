"""The four top-level packages come from this repository, and the domain stays pure."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", ["domain", "planning", "projections", "api"])
def test_each_top_level_package_is_imported_from_this_repository(package: str):
    module = __import__(package)
    assert Path(module.__file__).resolve().parent == ROOT / package


def test_importing_domain_pulls_in_no_sqlalchemy_fastapi_or_ortools():
    code = (
        "import sys, domain; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'fastapi', 'ortools'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"
