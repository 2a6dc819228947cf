"""The company's API catalog as tools: every OpenAPI operation becomes the tool `api.{operationId}`.

`catalog_tools(config)` is what the tool registry calls. Reading the OpenAPI file lives in
`tools.openapi`; this module turns its operations into HTTP calls made with one shared httpx client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolResult
from tools.openapi import CatalogError, Operation, read_openapi

__all__ = [
    "ApiOperationTool",
    "Catalog",
    "CatalogConfig",
    "CatalogError",
    "Operation",
    "catalog_tools",
    "load_catalog",
]

#: Longest tool description; the model reads it and it seeds the toolken's embedding.
MAX_DESCRIPTION_CHARS = 300
_PATH_PARAMETER = re.compile(r"\{([^{}/]+)\}")


class CatalogConfig(BaseModel):
    """The `tools.catalog` section: which OpenAPI file to expose and how to call it."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = Field(None, description="OpenAPI 3.0/3.1 file (YAML or JSON); None = no API tools.")
    base_url: str | None = Field(None, description="Where to send calls; overrides the spec's first server URL.")
    timeout_s: float = Field(10.0, gt=0, description="Seconds to wait for connect, send and read on each call.")
    max_response_chars: int = Field(
        4000, gt=0, description="Text bodies and error details longer than this are cut (JSON bodies stay whole)."
    )


@dataclass
class Catalog:
    """A loaded catalog and the HTTP client its tools share; close it (or use `with`) when done."""

    title: str
    #: The spec's first server URL ("" when it names none).
    server_url: str
    operations: list[Operation]
    source: Path
    _client: httpx.Client | None = field(default=None, init=False, repr=False, compare=False)

    def connect(self, timeout_s: float) -> httpx.Client:
        """The client every tool of this catalog sends through, opened on first use.

        `trust_env=False`: calls go straight to the company's on-premise service, never through a proxy
        picked up from the environment.
        """
        if self._client is None:
            self._client = httpx.Client(timeout=timeout_s, trust_env=False, follow_redirects=False)
        return self._client

    def close(self) -> None:
        """Close the shared client; tools of this catalog then answer with an error."""
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def load_catalog(path: Path) -> Catalog:
    """Read and validate the OpenAPI file at `path`; raise CatalogError naming what is broken."""
    document = read_openapi(Path(path))
    return Catalog(
        title=document.title, server_url=document.server_url, operations=document.operations, source=Path(path)
    )


def catalog_tools(config: CatalogConfig) -> list[ApiOperationTool]:
    """One tool per operation of the configured catalog, in catalog order (none when `path` is None)."""
    if config.path is None:
        return []
    catalog = load_catalog(config.path)
    base_url = config.base_url or catalog.server_url
    if not base_url.startswith(("http://", "https://")):
        raise CatalogError(
            catalog.source,
            f"no absolute server URL to call (found {base_url!r}); set tools.catalog.base_url",
            field="servers",
        )
    return [ApiOperationTool(operation, catalog, config) for operation in catalog.operations]


@dataclass(frozen=True)
class _Request:
    """One HTTP request exactly as it will be sent."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any


class ApiOperationTool(Tool):
    """One catalog operation as a tool: arguments become path, query, header and JSON body values."""

    local = False

    def __init__(self, operation: Operation, catalog: Catalog, config: CatalogConfig) -> None:
        self.operation = operation
        self.catalog = catalog
        self.config = config
        self.name = f"api.{operation.operation_id}"
        self.description = describe(operation)
        self.parameters = operation.parameters
        self.side_effects = operation.side_effects
        self.base_url = (config.base_url or catalog.server_url).rstrip("/")
        self._client = catalog.connect(config.timeout_s)

    def close(self) -> None:
        """Close the catalog's shared HTTP client (every tool of the catalog shares it)."""
        self.catalog.close()

    def plan(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The request a call would send (arguments already validated); nothing is sent.

        Keys: tool, method, url (with the query string), body (None when there is none), and headers
        when the operation has header arguments.
        """
        request = self._request(arguments)
        planned: dict[str, Any] = {
            "tool": self.name,
            "method": request.method,
            "url": request.url,
            "body": request.body,
        }
        if request.headers:
            planned["headers"] = request.headers
        return planned

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        """Send the request; any non-2xx status or transport failure comes back as an error result."""
        request = self._request(arguments)
        try:
            response = self._client.request(request.method, request.url, headers=request.headers, json=request.body)
        except httpx.TimeoutException:
            return ToolResult(error=f"{request.method} {request.url} timed out after {self.config.timeout_s} s")
        except httpx.ConnectError as exc:
            return ToolResult(error=f"could not reach {self.base_url}: {_reason(exc)}")
        except httpx.HTTPError as exc:
            return ToolResult(error=f"{request.method} {request.url} failed: {_reason(exc)}")
        body = _response_body(response, self.config.max_response_chars)
        if response.is_success:
            return ToolResult(value={"status": response.status_code, "body": body})
        detail = _error_detail(body, self.config.max_response_chars)
        status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        return ToolResult(error=f"{status}: {detail}" if detail else status)

    def _request(self, arguments: dict[str, Any]) -> _Request:
        """Place each argument where the operation's `locations` say it goes."""
        locations = self.operation.locations
        path = _PATH_PARAMETER.sub(lambda m: quote(_text(arguments[m.group(1)]), safe=""), self.operation.path)
        query = [
            (name, _text(item))
            for name, value in arguments.items()
            if locations.get(name) == "query" and value is not None
            for item in (value if isinstance(value, list) else [value])
        ]
        headers = {
            name: _text(value)
            for name, value in arguments.items()
            if locations.get(name) == "header" and value is not None
        }
        url = str(httpx.URL(self.base_url + path, params=query)) if query else self.base_url + path
        return _Request(self.operation.method, url, headers, self._body(arguments))

    def _body(self, arguments: dict[str, Any]) -> Any:
        style = self.operation.body_style
        if style == "whole":
            return arguments.get("body")
        if style == "fields":
            fields = {name: value for name, value in arguments.items() if self.operation.locations.get(name) == "body"}
            # A required body is sent even when every field is optional and none was given.
            return fields if fields or self.operation.body_required else None
        return None


def describe(operation: Operation) -> str:
    """A one- or two-sentence description: the summary and the description's first paragraph."""
    summary = " ".join(operation.summary.split()).rstrip(".")
    first_paragraph = " ".join(operation.description.strip().split("\n\n")[0].split()).rstrip(".")
    parts = [summary] if summary else []
    if first_paragraph and first_paragraph.lower() != summary.lower():
        parts.append(first_paragraph)
    text = ". ".join(parts) + "." if parts else f"{operation.method} {operation.path}"
    return text if len(text) <= MAX_DESCRIPTION_CHARS else text[: MAX_DESCRIPTION_CHARS - 1] + "…"


def _text(value: Any) -> str:
    """How a path, query or header value is written: JSON spelling for booleans and objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, dict, list)) or value is None:
        return json.dumps(value)
    return str(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: Exception) -> str:
    """A transport error in plain words: "[Errno 111] Connection refused" → "connection refused"."""
    message = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)).strip()
    return message[:1].lower() + message[1:] if message else type(exc).__name__


def _response_body(response: httpx.Response, limit: int) -> Any:
    """Parsed JSON when the server says JSON, else the text cut to `limit`; None when empty."""
    if not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return _cut(response.text, limit)


def _error_detail(body: Any, limit: int) -> str:
    """The `detail`, `message` or `error` of an error body (FastAPI, most frameworks), else the body."""
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if body.get(key) not in (None, ""):
                body = body[key]
                break
    if body is None:
        return ""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return _cut(text.strip(), limit)
