"""The one place tools are assembled from configuration."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool
from tools.calculator import Calculator, CalculatorConfig
from tools.catalog import CatalogConfig, catalog_tools
from tools.retrieval import DocumentStore, RetrievalConfig, SearchTool


class ToolsConfig(BaseModel):
    """The `tools:` section: one sub-section per tool."""

    model_config = ConfigDict(extra="forbid")

    calculator: CalculatorConfig = Field(default_factory=CalculatorConfig)
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)


def build_tools(config: ToolsConfig, state_dir: Path, store: DocumentStore | None = None) -> list[Tool]:
    """Every enabled tool, in toolken order: calculator, search, then the catalog's operations.

    `store` lets a caller that already opened the document store (to ingest) share it.
    """
    tools: list[Tool] = []
    if config.calculator.enabled:
        tools.append(Calculator(config.calculator))
    if config.retrieval.enabled:
        tools.append(SearchTool(store or DocumentStore(config.retrieval, state_dir / "chroma")))
    tools.extend(catalog_tools(config.catalog))
    names = [tool.name for tool in tools]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two tools share the name(s) {', '.join(duplicates)}")
    return tools
