"""Where the product's shipped files are: the repository's `data/` and the demo company's catalog and handbook."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEMO_CATALOG = DATA_DIR / "demo" / "catalog.yaml"
DEMO_DOCS = DATA_DIR / "demo" / "handbook"
