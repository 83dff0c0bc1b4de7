"""geo/ is the domain: it never imports Flask or the web layer at module level."""

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parents[2] / "geo"


def test_geo_modules_do_not_import_flask_or_webapp():
    offenders = []
    for path in GEO.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only: cli.py starts the server lazily in `serve`
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("flask", "webapp", "werkzeug")]
    assert offenders == []
