"""Hostile and careless catalogs: nothing outside the document is read, bombs are refused in one line,
requests go only where the catalog says and exactly as shown for approval."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from jsonschema_path import SchemaPath
from referencing.exceptions import Unresolvable

import tools.catalog
import tools.openapi_file
from assistant.events import ToolCall
from tools.catalog import (
    ApiOperationTool,
    CatalogConfig,
    CatalogError,
    catalog_tools,
    load_catalog,
)
from tools.openapi_file import NO_RETRIEVAL
from ui.render import approval_text

HEAD = 'openapi: 3.1.0\ninfo: {title: Probe, version: "1"}\nservers: [{url: "http://127.0.0.1:9"}]\n'
SECRET = "s3cr3t-cookie-signing-key"


def refused(path: Path, **config: Any) -> str:
    """The one-line message loading `path` (and building its tools) fails with."""
    with pytest.raises(CatalogError) as caught:
        catalog_tools(CatalogConfig(path=path, **config))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def body_ref(tmp_path: Path, ref: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(HEAD + f"""\
paths:
  /tickets:
    post:
      operationId: createTicket
      requestBody: {{content: {{application/json: {{schema: {{$ref: "{ref}"}}}}}}}}
      responses: {{"201": {{description: created}}}}
""", encoding="utf-8")
    return path


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 with `{}` and remembers each request line's target, byte for byte."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(self.path)
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def recorder_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def recorder(recorder_url: str) -> str:
    """The loopback server's URL, with no request seen yet."""
    Recorder.seen.clear()
    return recorder_url


# ---------------------------------------------------------------- $ref stays inside the document


def test_a_file_uri_ref_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "hostname"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    message = refused(body_ref(tmp_path, secret.as_uri()))
    assert "points outside the document" in message and "/schema/$ref" in message
    assert SECRET not in message


def test_a_relative_path_ref_to_the_state_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "serve-secret").write_text(SECRET, encoding="utf-8")
    uploads = tmp_path / "catalogs" / "scratch"
    uploads.mkdir(parents=True)
    message = refused(body_ref(uploads, "../../serve-secret"))
    assert "'../../serve-secret' points outside the document" in message
    assert SECRET not in message


def test_an_http_ref_is_refused_and_never_fetched(tmp_path: Path, recorder: str) -> None:
    message = refused(body_ref(tmp_path, f"{recorder}/schema.json"))
    assert "points outside the document" in message
    assert Recorder.seen == []


def test_the_validators_resolver_retrieves_nothing(tmp_path: Path, recorder: str) -> None:
    # The second line of defence: should a reference slip past the document check, the resolver
    # openapi-spec-validator uses still reads neither files nor URLs.
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"leak": SECRET}), encoding="utf-8")
    for uri in (secret.as_uri(), f"{recorder}/schema.json", "ftp://127.0.0.1/x", "data:,{}"):
        spec = SchemaPath.from_dict({"a": {"$ref": uri}}, base_uri=tmp_path.as_uri() + "/", handlers=NO_RETRIEVAL)
        with pytest.raises(Unresolvable), (spec / "a").open():
            pass
    assert Recorder.seen == []


# ---------------------------------------------------------------- bombs and bounds


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text(HEAD + "paths: {}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size < 1024
    assert "values (YAML aliases included)" in refused(path)


def test_a_yaml_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(HEAD + "paths: {}\nx-loop: &loop [*loop]\n", encoding="utf-8")
    assert "a YAML alias contains itself" in refused(path)


def test_json_nested_100000_deep_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"openapi": "3.1.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert "nested deeper than 64 levels" in refused(path)


def test_yaml_nested_past_the_depth_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(HEAD + "paths: {}\nx-deep: " + "[" * 70 + "]" * 70 + "\n", encoding="utf-8")
    assert "nested deeper than 64 levels (at /x-deep/0/0" in refused(path)


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.openapi_file, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "big.yaml"
    path.write_text(HEAD + "paths: {}\n" + "#" * 2000 + "\n", encoding="utf-8")
    assert "a catalog may be at most" in refused(path)


def test_too_many_operations_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.openapi_file, "MAX_OPERATIONS", 3)
    paths = "".join(f"  /r{i}:\n    get: {{operationId: op{i}, responses: {{'200': {{description: ok}}}}}}\n"
                    for i in range(4))
    path = tmp_path / "many.yaml"
    path.write_text(HEAD + "paths:\n" + paths, encoding="utf-8")
    assert "paths: 4 operations; a catalog may have at most 3" in refused(path)


def test_a_ref_bomb_is_refused_while_it_expands(tmp_path: Path) -> None:
    # Ten schemas, each holding ten references to the one before: 10^10 values once expanded.
    schemas = {"S0": {"type": "string"}}
    for i in range(1, 10):
        schemas[f"S{i}"] = {"type": "object",
                            "properties": {f"p{j}": {"$ref": f"#/components/schemas/S{i - 1}"} for j in range(10)}}
    document = {"openapi": "3.1.0", "info": {"title": "Probe", "version": "1"},
                "servers": [{"url": "http://127.0.0.1:9"}],
                "paths": {"/t": {"post": {"operationId": "createT",
                                          "requestBody": {"content": {"application/json": {
                                              "schema": {"$ref": "#/components/schemas/S9"}}}},
                                          "responses": {"201": {"description": "created"}}}}},
                "components": {"schemas": schemas}}
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert "expands to more than" in refused(path)


# ---------------------------------------------------------------- reserved headers


def header_parameter(tmp_path: Path, name: str, security: bool = False) -> Path:
    path = tmp_path / "headers.yaml"
    schemes = "components: {securitySchemes: {token: {type: http, scheme: bearer}}}\n" if security else ""
    path.write_text(HEAD + schemes + f"""\
paths:
  /t:
    get:
      operationId: getT
      parameters: [{{name: {name}, in: header, schema: {{type: string}}}}]
      responses: {{"200": {{description: ok}}}}
""", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["Host", "Content-Length", "Cookie", "Transfer-Encoding", "Connection"])
def test_a_reserved_header_parameter_is_refused_at_load(tmp_path: Path, name: str) -> None:
    message = refused(header_parameter(tmp_path, name))
    assert f"operation getT: parameter '{name}': the header {name} is set by the HTTP client" in message


def test_an_authorization_parameter_needs_a_security_scheme(tmp_path: Path) -> None:
    assert "declare them in components.securitySchemes" in refused(header_parameter(tmp_path, "Authorization"))
    (operation,) = load_catalog(header_parameter(tmp_path, "Authorization", security=True)).operations
    assert operation.locations == {}  # the scheme covers it; the model never fills it in


# ---------------------------------------------------------------- path values and the URL shown


PATHS = HEAD + """\
paths:
  /api/items/{a}/{b}/sub:
    delete:
      operationId: deleteSub
      parameters:
        - {name: a, in: path, required: true, schema: {type: string}}
        - {name: b, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
      responses: {"204": {description: gone}}
"""


@pytest.fixture
def delete_sub(tmp_path: Path, recorder: str) -> Iterator[ApiOperationTool]:
    path = tmp_path / "paths.yaml"
    path.write_text(PATHS, encoding="utf-8")
    (tool,) = catalog_tools(CatalogConfig(path=path, base_url=recorder))
    yield tool
    tool.close()


@pytest.mark.parametrize("value", [".", "..", "%2e", "%2E%2e", ".%2e", "%252e%252e", ""])
def test_a_dot_segment_path_value_is_a_tool_error_and_nothing_is_sent(
    delete_sub: ApiOperationTool, value: str
) -> None:
    arguments = {"a": value, "b": ".."}
    problem = delete_sub.validate(arguments)
    assert problem is not None and "path parameter 'a' may not be" in problem
    assert "error" in delete_sub.plan(arguments) and "url" not in delete_sub.plan(arguments)
    result = delete_sub.call(arguments)
    assert not result.ok and "may not be" in (result.error or "")
    assert Recorder.seen == []


@pytest.mark.parametrize("value", ["a/b", "x?y=1#z", "50% off", "café ☕", "%2F", "..a", "a..", "~user", "a;b=c"])
def test_the_url_shown_for_approval_is_the_url_sent(delete_sub: ApiOperationTool, recorder: str, value: str) -> None:
    arguments = {"a": value, "b": "b", "q": value}
    plan = delete_sub.plan(arguments)
    shown = approval_text(ToolCall(delete_sub.name, arguments, True, plan))
    result = delete_sub.call(arguments)
    assert result.ok, result.error
    (target,) = Recorder.seen
    assert plan["url"] == recorder + target
    assert f"`DELETE {recorder}{target}`" in shown
    assert target.startswith("/api/items/") and target.count("/") == 5  # "/" in a value stays encoded


# ---------------------------------------------------------------- where requests may go


def server_catalog(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "server.yaml"
    path.write_text(HEAD.replace("http://127.0.0.1:9", url) + """\
paths:
  /t:
    get: {operationId: getT, responses: {"200": {description: ok}}}
""", encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://[fd00:ec2::254]", "http://metadata.google.internal",
                                 "http://2852039166", "http://[fe80::1]:8080", "http://169.254.10.1",
                                 "http://[::ffff:169.254.169.254]"])
def test_a_link_local_or_metadata_server_is_refused_unless_listed(tmp_path: Path, url: str) -> None:
    path = server_catalog(tmp_path, url)
    assert "list it in tools.catalog.allowed_hosts" in refused(path)
    (tool,) = catalog_tools(CatalogConfig(path=path, allowed_hosts=[httpx.URL(url).host]))
    assert tool.validate({}) is None


def test_a_base_url_on_the_metadata_address_is_refused(tmp_path: Path) -> None:
    message = refused(server_catalog(tmp_path, "http://127.0.0.1:9"), base_url="http://169.254.169.254/")
    assert "tools.catalog.base_url" in message and "cloud metadata address" in message


def test_loopback_servers_keep_working(tmp_path: Path, recorder: str) -> None:
    (tool,) = catalog_tools(CatalogConfig(path=server_catalog(tmp_path, recorder)))
    assert tool.call({}).ok
    assert Recorder.seen == ["/t"]


def test_a_name_that_resolves_to_the_metadata_address_is_refused_at_request_time(
    tmp_path: Path, recorder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tool,) = catalog_tools(CatalogConfig(path=server_catalog(tmp_path, "http://api.internal:8080")))

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "api.internal"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr(tools.catalog.socket, "getaddrinfo", resolve)
    result = tool.call({})
    assert result.error == ("api.getT: api.internal resolves to 169.254.169.254, a cloud metadata address; "
                            "list it in tools.catalog.allowed_hosts to call it")
