"""The layers the design names: the domain apps (sources, groups, claims, changes) below the data
exchange app (exports, codebook, importer, dataset package), which is below the project's URLs.
A lower layer never imports a higher one, so that the domain can be used, tested and changed
without the files built on it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["sources", "groups", "claims", "changes"]
# Within the domain, models build on models below them: a source knows nothing of groups, a group
# nothing of incidents.
MODEL_ORDER = ["sources", "groups", "claims", "changes"]


def imported_apps(path: Path) -> set[str]:
    """Top-level packages a module imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
    return found


def modules(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", DOMAIN)
def test_no_domain_module_imports_the_exchange_app(app):
    offenders = [str(p.relative_to(ROOT)) for p in modules(app) if "exchange" in imported_apps(p)]
    assert offenders == []


@pytest.mark.parametrize("app", MODEL_ORDER)
def test_models_import_only_the_models_below_them(app):
    above = set(MODEL_ORDER[MODEL_ORDER.index(app) + 1 :]) | {"exchange"}
    assert not imported_apps(ROOT / app / "models.py") & above


def test_the_exchange_app_holds_the_export_and_import_code_and_kb_none_of_it():
    for name in ("catalogue.py", "importer.py", "formats.py", "sql.py", "views.py", "package.py"):
        assert (ROOT / "exchange" / name).exists(), name
    base = [p for p in modules("kb") if p.name not in ("urls.py",)]
    offenders = [str(p.relative_to(ROOT)) for p in base if "exchange" in imported_apps(p)]
    assert offenders == []  # only the project's URLs route to the exchange views
