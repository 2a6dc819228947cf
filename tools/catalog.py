"""The company's API catalog as tools: every OpenAPI operation becomes the tool `api.{operationId}`.

`catalog_tools(config)` is what the tool registry calls. Reading the OpenAPI file lives in
`tools.openapi`; this module turns its operations into HTTP calls made with one shared httpx client.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolResult
from tools.openapi import CatalogError, Operation, read_openapi

__all__ = [
    "ApiOperationTool",
    "Catalog",
    "CatalogConfig",
    "CatalogError",
    "HostPolicy",
    "Operation",
    "RefusedRequest",
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
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts (names or IP addresses) calls may go to besides the catalog's servers and base_url. "
        "Link-local (169.254.0.0/16, fe80::/10) and cloud-metadata addresses are refused unless listed here.",
    )


@dataclass
class Catalog:
    """A loaded catalog and the HTTP client its tools share; close it (or use `with`) when done."""

    title: str
    #: The spec's first server URL ("" when it names none).
    server_url: str
    operations: list[Operation]
    source: Path
    #: Every server URL the spec names (their hosts are the ones its tools may call).
    server_urls: tuple[str, ...] = ()
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
        title=document.title,
        server_url=document.server_url,
        operations=document.operations,
        source=Path(path),
        server_urls=document.server_urls,
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
    refused = HostPolicy(catalog, config).refusal(httpx.URL(base_url).host)
    if refused:
        field = "tools.catalog.base_url" if config.base_url else "servers"
        raise CatalogError(catalog.source, f"{base_url}: {refused}", field=field)
    return [ApiOperationTool(operation, catalog, config) for operation in catalog.operations]


#: Addresses where clouds serve instance credentials; never called unless listed in `allowed_hosts`.
METADATA_HOSTS = frozenset({"169.254.169.254", "fd00:ec2::254", "metadata.google.internal"})


class HostPolicy:
    """Which hosts a catalog's tools may call: its servers, the configured base_url and `allowed_hosts`;
    link-local and cloud-metadata addresses only when `allowed_hosts` names them."""

    def __init__(self, catalog: Catalog, config: CatalogConfig) -> None:
        self.listed = {_normal_host(host) for host in config.allowed_hosts}
        urls = [*catalog.server_urls, catalog.server_url, config.base_url or ""]
        self.allowed = self.listed | {_normal_host(httpx.URL(url).host) for url in urls if _is_absolute(url)}

    def refusal(self, host: str) -> str | None:
        """Why a request to `host` may not be sent, or None when it may."""
        host = _normal_host(host)
        if host not in self.allowed:
            return f"the host {host} is not one of the catalog's servers or tools.catalog.allowed_hosts"
        kind = None if host in self.listed else _special_kind(host)
        return f"{host} is {kind}; {_LIST_IT}" if kind else None

    def resolved_refusal(self, host: str, port: int) -> str | None:
        """Why `host` may not be called once resolved: a name that resolves to a link-local or metadata
        address is refused like the address itself (unless `allowed_hosts` lists the name)."""
        host = _normal_host(host)
        if host in self.listed or _literal_ip(host) is not None:
            return None
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
        except OSError:
            return None  # the request itself then fails with the resolver's own message
        for address in sorted(addresses):
            kind = _special_kind(address.split("%")[0])  # without an IPv6 zone ("fe80::1%eth0")
            if kind:
                return f"{host} resolves to {address}, {kind}; {_LIST_IT}"
        return None


_LIST_IT = "list it in tools.catalog.allowed_hosts to call it"


def _is_absolute(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _normal_host(host: str) -> str:
    host = host.strip().lower().strip("[]").rstrip(".")
    ip = _literal_ip(host)
    return str(ip) if ip is not None else host


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `host` spells, in any form the system resolver reads as one ("2852039166" too)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[0-9a-fx.]+", host):
            return None
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _special_kind(host: str) -> str | None:
    """What makes `host` refused unless listed (a cloud metadata or link-local address), or None."""
    ip = _literal_ip(host)
    if host in METADATA_HOSTS or (ip is not None and str(ip) in METADATA_HOSTS):
        return "a cloud metadata address"
    if ip is not None and ip.is_link_local:
        return "a link-local address"
    return None


class RefusedRequest(ValueError):
    """A call whose request may not be sent (a path value that is a dot segment, a host not allowed)."""


#: Path values a server or client would read as "this folder" or "the folder above", percent-encoded or not.
_DOT_SEGMENTS = frozenset({".", ".."})


def _path_segment(name: str, arguments: dict[str, Any]) -> str:
    """The percent-encoded path value of `name` (every reserved character encoded, `/` included)."""
    if name not in arguments:
        raise RefusedRequest(f"missing path parameter {name!r}")
    value = _text(arguments[name])
    decoded = value
    for _ in range(3):  # a server may decode more than once: "%252e" → "%2e" → "."
        decoded = unquote(decoded)
    if value in _DOT_SEGMENTS or decoded in _DOT_SEGMENTS or value == "":
        raise RefusedRequest(f"path parameter {name!r} may not be {value!r}")
    return quote(value, safe="")


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
        self.examples = operation.examples
        self.glosses = operation.glosses
        self.base_url = (config.base_url or catalog.server_url).rstrip("/")
        self.hosts = HostPolicy(catalog, config)
        self._client = catalog.connect(config.timeout_s)

    def close(self) -> None:
        """Close the catalog's shared HTTP client (every tool of the catalog shares it)."""
        self.catalog.close()

    def plan(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The request a call would send; nothing is sent. `url` is the URL exactly as it would be sent.

        Keys: tool, method, url (with the query string), body (None when there is none), and headers
        when the operation has header arguments; a request that may not be sent has `error` instead of url.
        """
        try:
            request = self._request(arguments)
        except RefusedRequest as exc:
            return {"tool": self.name, "method": self.operation.method, "error": str(exc)}
        planned: dict[str, Any] = {
            "tool": self.name,
            "method": request.method,
            "url": request.url,
            "body": request.body,
        }
        if request.headers:
            planned["headers"] = request.headers
        return planned

    def validate(self, arguments: Any) -> str | None:
        """Schema problems first, then what makes the request unsendable (a `..` path value, a refused host)."""
        problem = super().validate(arguments)
        if problem is not None:
            return problem
        try:
            self._request(arguments)
        except RefusedRequest as exc:
            return f"{self.name}: {exc}"
        return None

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        """Send the request; any non-2xx status or transport failure comes back as an error result."""
        try:
            request = self._request(arguments)
            url = httpx.URL(request.url)
            refused = self.hosts.resolved_refusal(url.host, url.port or (443 if url.scheme == "https" else 80))
            if refused:
                raise RefusedRequest(refused)
        except RefusedRequest as exc:
            return ToolResult(error=f"{self.name}: {exc}")
        try:
            sent = self._client.build_request(request.method, url, headers=request.headers, json=request.body)
            response = self._client.send(sent)
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
        """Place each argument where the operation's `locations` say it goes; raise RefusedRequest when
        the request may not be sent. The URL is httpx's own spelling of it, so it is what goes out."""
        locations = self.operation.locations
        path = _PATH_PARAMETER.sub(lambda m: _path_segment(m.group(1), arguments), self.operation.path)
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
        try:
            url = httpx.URL(self.base_url + path, params=query) if query else httpx.URL(self.base_url + path)
        except httpx.InvalidURL as exc:
            raise RefusedRequest(f"not a valid URL: {exc}") from None
        refused = self.hosts.refusal(url.host)
        if refused:
            raise RefusedRequest(refused)
        return _Request(self.operation.method, str(url), headers, self._body(arguments))

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
