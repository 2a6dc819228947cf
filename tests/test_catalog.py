"""The API catalog: OpenAPI files become tools, and those tools make real HTTP calls on loopback."""

from __future__ import annotations

import json
import socket
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pydantic
import pytest

from tools.catalog import ApiOperationTool, CatalogConfig, CatalogError, catalog_tools, load_catalog

HEAD_30 = 'openapi: 3.0.3\ninfo: {title: Helpdesk, version: "1"}\n'


def write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def operations_by_id(path: Path) -> dict[str, Any]:
    return {operation.operation_id: operation for operation in load_catalog(path).operations}


# ---------------------------------------------------------------- loading and merging

HELPDESK_30 = """\
openapi: 3.0.3
info: {title: Helpdesk, version: "1"}
servers:
  - url: "http://{host}:8000/v1"
    variables: {host: {default: helpdesk.local}}
paths:
  /tickets/{ticket_id}:
    parameters:
      - {name: ticket_id, in: path, schema: {type: string}, required: true, description: The ticket's id}
      - {name: verbose, in: query, schema: {type: boolean}, description: Shared flag}
    get:
      operationId: getTicket
      summary: Get one ticket.
      parameters:
        - {name: verbose, in: query, required: true, schema: {type: boolean}, description: Include history}
      responses: {"200": {description: ok}}
    patch:
      operationId: updateTicket
      summary: Update a ticket
      description: |
        Changes the fields given.

        Fields left out keep their value.
      parameters:
        - {name: X-Request-Id, in: header, schema: {type: string}}
        - {name: Authorization, in: header, schema: {type: string}}
        - {name: notify, in: query, schema: {type: boolean, default: false}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title]
              properties:
                id: {type: integer, readOnly: true}
                title: {type: string, description: Short title}
                priority: {type: string, enum: [low, high], nullable: true}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
"""


def test_path_query_header_and_body_arguments_merge_into_one_object_schema(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, HELPDESK_30))
    assert catalog.title == "Helpdesk"
    assert catalog.server_url == "http://helpdesk.local:8000/v1"
    update = {op.operation_id: op for op in catalog.operations}["updateTicket"]

    assert update.method == "PATCH"
    assert update.path == "/tickets/{ticket_id}"
    assert update.locations == {
        "ticket_id": "path",
        "verbose": "query",
        "X-Request-Id": "header",
        "notify": "query",
        "title": "body",
        "priority": "body",
    }
    schema = update.parameters
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    # Path parameters are always required; the body's required list joins them.
    assert schema["required"] == ["ticket_id", "title"]
    assert schema["properties"]["ticket_id"] == {"type": "string", "description": "The ticket's id"}
    assert schema["properties"]["title"]["description"] == "Short title"
    # OpenAPI 3.0's `nullable: true` becomes JSON Schema's "null" type (and enum member).
    assert schema["properties"]["priority"] == {"type": ["string", "null"], "enum": ["low", "high", None]}
    assert "id" not in schema["properties"]  # readOnly: the server sets it
    assert "Authorization" not in schema["properties"]  # a security scheme covers it: OpenAPI ignores it
    jsonschema.Draft202012Validator.check_schema(schema)


def test_openapi_30_bounds_and_nullable_become_json_schema_2020_12(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD_30 + textwrap.dedent("""\
        paths:
          /items:
            get:
              operationId: listItems
              parameters:
                - {name: above, in: query, schema: {type: number, minimum: 0, exclusiveMinimum: true}}
                - {name: upto, in: query, schema: {type: integer, maximum: 9, exclusiveMaximum: false}}
                - name: tags
                  in: query
                  schema: {type: array, items: {type: string, nullable: true}}
              responses: {"200": {description: ok}}
        """))
    schema = operations_by_id(path)["listItems"].parameters
    assert schema["properties"]["above"] == {"type": "number", "exclusiveMinimum": 0}
    assert schema["properties"]["upto"] == {"type": "integer", "maximum": 9}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"above": 0.5, "upto": 9, "tags": ["a", None]})
    assert not validator.is_valid({"above": 0}) and not validator.is_valid({"upto": 10})


def test_operation_parameters_override_path_item_parameters(tmp_path: Path) -> None:
    get = operations_by_id(write(tmp_path, HELPDESK_30))["getTicket"]
    assert list(get.parameters["properties"]) == ["ticket_id", "verbose"]
    assert get.parameters["properties"]["verbose"]["description"] == "Include history"
    assert get.parameters["required"] == ["ticket_id", "verbose"]


def test_json_content_is_recognised_whatever_the_file_is_called(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "As JSON", "version": "1"},
        "paths": {
            "/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}},
        },
    }
    path = write(tmp_path, json.dumps(spec, indent=1), name="catalog.spec")
    catalog = load_catalog(path)
    assert catalog.title == "As JSON"
    assert catalog.server_url == ""
    assert [op.operation_id for op in catalog.operations] == ["ping"]
    assert catalog.operations[0].parameters["properties"] == {}


REFS_31 = {
    "openapi": "3.1.0",
    "info": {"title": "Refs", "version": "1"},
    "paths": {
        "/tickets/{ticket_id}/comments": {
            "post": {
                "operationId": "addComment",
                "parameters": [{"$ref": "#/components/parameters/TicketId"}],
                "requestBody": {"$ref": "#/components/requestBodies/Comment"},
                "responses": {"201": {"description": "created"}},
            }
        }
    },
    "components": {
        "parameters": {
            "TicketId": {
                "name": "ticket_id",
                "in": "path",
                "required": True,
                "schema": {"$ref": "#/components/schemas/Id"},
                "description": "Which ticket",
            }
        },
        "requestBodies": {
            "Comment": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comment"}}},
            }
        },
        "schemas": {
            "Id": {"type": "string", "pattern": "^T-[0-9]+$"},
            "Visibility": {"type": "string", "enum": ["internal", "public"], "description": "generic"},
            "Comment": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {"type": "string"},
                    "visibility": {"$ref": "#/components/schemas/Visibility", "description": "Who sees it"},
                    "author": {"$ref": "#/components/schemas/Person"},
                },
            },
            "Person": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "manager": {"$ref": "#/components/schemas/Person"}},
            },
        },
    },
}


def test_refs_are_resolved_into_plain_schemas(tmp_path: Path) -> None:
    add = operations_by_id(write(tmp_path, json.dumps(REFS_31), name="catalog.json"))["addComment"]
    properties = add.parameters["properties"]
    assert properties["ticket_id"] == {"type": "string", "pattern": "^T-[0-9]+$", "description": "Which ticket"}
    assert properties["text"] == {"type": "string"}
    # OpenAPI 3.1: a description beside a $ref applies to the referring property.
    assert properties["visibility"] == {"type": "string", "enum": ["internal", "public"], "description": "Who sees it"}
    assert add.locations == {"ticket_id": "path", "text": "body", "visibility": "body", "author": "body"}
    assert add.parameters["required"] == ["ticket_id", "text"]
    assert "$ref" not in json.dumps(add.parameters)


def test_what_a_referred_schema_says_of_its_values_is_kept_beside_the_arguments_own_description(
    tmp_path: Path,
) -> None:
    spec = json.loads(json.dumps(REFS_31))
    spec["components"]["schemas"]["Visibility"]["description"] = "internal (staff only) or public (the customer too)"
    add = operations_by_id(write(tmp_path, json.dumps(spec), name="catalog.json"))["addComment"]
    assert add.glosses == {"visibility": "internal (staff only) or public (the customer too)"}
    # the argument schema, and so its fingerprint in an adapter's toolken registry, is what it was
    assert add.parameters["properties"]["visibility"]["description"] == "Who sees it"


def test_a_schema_that_refers_to_itself_is_cut_where_it_recurses(tmp_path: Path) -> None:
    add = operations_by_id(write(tmp_path, json.dumps(REFS_31), name="catalog.json"))["addComment"]
    author = add.parameters["properties"]["author"]
    assert author["properties"]["name"] == {"type": "string"}
    assert set(author["properties"]["manager"]) == {"description"}  # accepts any value
    jsonschema.Draft202012Validator.check_schema(add.parameters)


def test_refs_into_a_neighbouring_file_are_refused(tmp_path: Path) -> None:
    # Only references inside the document are followed: a catalog must not make the server read files.
    write(tmp_path, "Ticket:\n  type: object\n  properties:\n    title: {type: string}\n", name="schemas.yaml")
    path = write(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets:
    post:
      operationId: createTicket
      requestBody:
        content:
          application/json:
            schema: {$ref: "schemas.yaml#/Ticket"}
      responses: {"201": {description: created}}
""",
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert "$ref 'schemas.yaml#/Ticket' points outside the document" in str(caught.value)
    assert "/paths/~1tickets/post/requestBody/content/application~1json/schema/$ref" in str(caught.value)


def test_a_body_that_is_not_an_object_becomes_one_body_argument(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets/bulk:
    post:
      operationId: createTickets
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: array, items: {type: string}}
      responses: {"201": {description: created}}
  /tags:
    put:
      operationId: replaceTags
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {type: string}}
      responses: {"200": {description: ok}}
""",
    )
    operations = operations_by_id(path)
    bulk = operations["createTickets"]
    assert bulk.locations == {"body": "body"}
    assert bulk.parameters["properties"]["body"] == {"type": "array", "items": {"type": "string"}}
    assert bulk.parameters["required"] == ["body"]
    assert operations["replaceTags"].parameters["required"] == []  # requestBody.required is false


@pytest.mark.parametrize(
    ("method", "side_effects"),
    [
        ("get", False),
        ("head", False),
        ("options", False),
        ("post", True),
        ("put", True),
        ("patch", True),
        ("delete", True),
    ],
)
def test_side_effects_follow_the_http_method(tmp_path: Path, method: str, side_effects: bool) -> None:
    path = write(
        tmp_path,
        HEAD_30
        + f"paths:\n  /things:\n    {method}:\n"
        + '      {operationId: touch, responses: {"200": {description: ok}}}\n',
    )
    (operation,) = load_catalog(path).operations
    assert operation.method == method.upper()
    assert operation.side_effects is side_effects
    (tool,) = catalog_tools(CatalogConfig(path=path, base_url="http://127.0.0.1:9"))
    assert tool.side_effects is side_effects
    assert tool.local is False


# ---------------------------------------------------------------- tools and plan()


def test_catalog_tools_are_named_after_operations_in_catalog_order(tmp_path: Path) -> None:
    tools = catalog_tools(CatalogConfig(path=write(tmp_path, HELPDESK_30)))
    assert [tool.name for tool in tools] == ["api.getTicket", "api.updateTicket"]
    assert [tool.toolken for tool in tools] == ["<tool:api.getTicket>", "<tool:api.updateTicket>"]
    assert tools[0].description == "Get one ticket."
    assert tools[1].description == "Update a ticket. Changes the fields given."
    assert tools[1].parameters is tools[1].operation.parameters
    assert tools[0].plan({"ticket_id": "7", "verbose": True})["url"].startswith("http://helpdesk.local:8000/v1/")
    tools[0].catalog.close()


def test_x_examples_are_the_tools_example_requests(tmp_path: Path) -> None:
    spec = HELPDESK_30.replace("      summary: Get one ticket.\n",
                               "      summary: Get one ticket.\n      x-examples: ['ticket 4102?', \"what's up  with 4103\"]\n")
    tools = catalog_tools(CatalogConfig(path=write(tmp_path, spec)))
    assert tools[0].examples == ("ticket 4102?", "what's up with 4103") and tools[1].examples == ()
    tools[0].catalog.close()


@pytest.mark.parametrize("examples", ["just one string", "[ticket 1, 7]", "['']", f"[{'x' * 501}]"])
def test_x_examples_that_are_not_short_strings_name_the_operation(tmp_path: Path, examples: str) -> None:
    spec = HELPDESK_30.replace("      summary: Get one ticket.\n",
                               f"      summary: Get one ticket.\n      x-examples: {examples}\n")
    error = broken(tmp_path, spec)
    assert (error.operation, error.field) == ("getTicket", "x-examples")


def test_no_path_means_no_api_tools() -> None:
    assert catalog_tools(CatalogConfig()) == []


def test_a_catalog_without_an_absolute_server_needs_base_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD_30
        + "servers: [{url: /v1}]\n"
        + 'paths:\n  /x:\n    get: {operationId: x, responses: {"200": {description: ok}}}\n',
    )
    with pytest.raises(CatalogError, match="base_url") as caught:
        catalog_tools(CatalogConfig(path=path))
    assert caught.value.field == "servers"
    (tool,) = catalog_tools(CatalogConfig(path=path, base_url="http://api.local/v2/"))
    assert tool.plan({})["url"] == "http://api.local/v2/x"


def test_config_rejects_unknown_keys_and_non_positive_timeouts() -> None:
    with pytest.raises(pydantic.ValidationError):
        CatalogConfig(paht="catalog.yaml")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        CatalogConfig(timeout_s=0)


PLAN_30 = (
    HEAD_30
    + """\
paths:
  /folders/{folder}/files/{name}:
    put:
      operationId: saveFile
      parameters:
        - {name: folder, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: overwrite, in: query, schema: {type: boolean}}
        - {name: version, in: query, schema: {type: integer}}
        - {name: X-Request-Id, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                text: {type: string}
                size: {type: integer}
      responses: {"200": {description: ok}}
"""
)


def plan_tool(tmp_path: Path) -> ApiOperationTool:
    # Port 9 (discard) on loopback: nothing listens, and plan() must not need it to.
    (tool,) = catalog_tools(CatalogConfig(path=write(tmp_path, PLAN_30), base_url="http://127.0.0.1:9/api/"))
    return tool


def test_plan_encodes_path_parameters_and_builds_the_query_string(tmp_path: Path) -> None:
    tool = plan_tool(tmp_path)
    arguments = {
        "folder": "Q3 reports/final",
        "name": "café.txt",
        "tags": ["a b", "c&d"],
        "overwrite": True,
        "version": 3,
        "X-Request-Id": "r-1",
        "text": "hello",
    }
    assert tool.validate(arguments) is None
    assert tool.plan(arguments) == {
        "tool": "api.saveFile",
        "method": "PUT",
        "url": "http://127.0.0.1:9/api/folders/Q3%20reports%2Ffinal/files/caf%C3%A9.txt"
        "?tags=a+b&tags=c%26d&overwrite=true&version=3",
        "body": {"text": "hello"},
        "headers": {"X-Request-Id": "r-1"},
    }


def test_plan_without_query_or_body_arguments(tmp_path: Path) -> None:
    plan = plan_tool(tmp_path).plan({"folder": "a", "name": "b"})
    assert plan == {
        "tool": "api.saveFile",
        "method": "PUT",
        "url": "http://127.0.0.1:9/api/folders/a/files/b",
        "body": None,
    }


# ---------------------------------------------------------------- broken catalogs


def broken(tmp_path: Path, text: str, name: str = "catalog.yaml") -> CatalogError:
    path = write(tmp_path, text, name)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(caught.value).startswith(f"{path}: ")  # always names the file
    return caught.value


def test_an_operation_without_operation_id_is_named_by_method_and_path(tmp_path: Path) -> None:
    error = broken(tmp_path, HEAD_30 + 'paths:\n  /tickets:\n    get: {responses: {"200": {description: ok}}}\n')
    assert (error.operation, error.field) == ("GET /tickets", "operationId")
    assert "operation GET /tickets: operationId: missing" in str(error)


def test_a_duplicate_operation_id_names_both_operations(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets:
    get: {operationId: tickets, responses: {"200": {description: ok}}}
  /tickets/{id}:
    delete:
      operationId: tickets
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: gone}}
""",
    )
    assert error.field == "operationId"
    assert "operation tickets (DELETE /tickets/{id}): operationId: not unique: GET /tickets has it too" in str(error)


def test_a_name_in_both_query_and_body_is_a_collision(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets:
    post:
      operationId: createTicket
      parameters: [{name: title, in: query, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {title: {type: string}}}
      responses: {"201": {description: created}}
""",
    )
    assert (error.operation, error.field) == ("createTicket", "parameter 'title'")
    assert str(error).endswith("operation createTicket: parameter 'title': appears in both query and body")


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_parameter_without_schema(tmp_path: Path, version: str) -> None:
    error = broken(
        tmp_path,
        f'openapi: {version}\ninfo: {{title: t, version: "1"}}\n'
        + """\
paths:
  /tickets:
    post:
      operationId: createTicket
      parameters: [{name: priority, in: query}]
      responses: {"201": {description: created}}
""",
    )
    assert (error.operation, error.field) == ("createTicket", "parameter 'priority'")
    assert "operation createTicket: parameter 'priority': missing 'schema' or 'content'" in str(error)
    assert "$.paths['/tickets'].post.parameters[0]" in str(error)  # the validator's JSON path


def test_a_document_without_info_fails_validation(tmp_path: Path) -> None:
    error = broken(tmp_path, "openapi: 3.0.3\npaths: {}\n")
    assert (error.operation, error.field) == (None, "info")
    assert str(error).endswith(": info: missing")


def test_a_validation_error_inside_an_operation_names_it(tmp_path: Path) -> None:
    error = broken(tmp_path, HEAD_30 + "paths:\n  /tickets:\n    get: {operationId: listTickets}\n")
    assert (error.operation, error.field) == ("listTickets", "responses")
    assert "$.paths['/tickets'].get" in str(error)


@pytest.mark.parametrize("text", ["openapi: [3.0\n  info: {{{\n", "just a sentence, not a document\n"])
def test_a_file_that_is_neither_yaml_nor_json(tmp_path: Path, text: str) -> None:
    error = broken(tmp_path, text, name="catalog.json")
    assert "neither JSON nor YAML" in str(error) or "not an OpenAPI document" in str(error)


def test_binary_garbage_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(b"\x00\xff\xfe\x01")
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(path)


def test_swagger_2_is_refused(tmp_path: Path) -> None:
    error = broken(tmp_path, 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n')
    assert error.field == "swagger"


def test_an_unresolvable_ref_is_named(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets:
    get:
      operationId: listTickets
      parameters: [{$ref: "#/components/parameters/Nope"}]
      responses: {"200": {description: ok}}
""",
    )
    assert "'#/components/parameters/Nope' cannot be resolved" in str(error)


def test_a_ref_cycle_that_never_reaches_a_schema(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        HEAD_30
        + """\
paths:
  /tickets:
    post:
      operationId: createTicket
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}
      responses: {"201": {description: created}}
components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
""",
    )
    assert "$ref cycle" in str(error)


def test_a_non_json_request_body_is_refused(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        HEAD_30
        + """\
paths:
  /attachments:
    post:
      operationId: uploadAttachment
      requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
      responses: {"201": {description: created}}
""",
    )
    assert (error.operation, error.field) == ("uploadAttachment", "requestBody")
    assert "only JSON request bodies are supported (found multipart/form-data)" in str(error)


def test_a_broken_argument_schema_names_its_operation_and_parameter_in_openapi_31(tmp_path: Path) -> None:
    # 3.1 schemas are JSON Schema; the validator reports their errors relative to the schema itself.
    error = broken(
        tmp_path,
        'openapi: 3.1.0\ninfo: {title: Helpdesk, version: "1"}\n'
        + """\
paths:
  /tickets:
    get:
      operationId: listTickets
      parameters: [{name: limit, in: query, schema: {type: integer, minimum: zero}}]
      responses: {"200": {description: ok}}
""",
    )
    assert (error.operation, error.field) == ("listTickets", "parameter 'limit' schema.minimum")
    assert "'zero' is not of type 'number'" in str(error)


# ---------------------------------------------------------------- HTTP against a real loopback server


class EchoHandler(BaseHTTPRequestHandler):
    """Answers by path: echo what arrived, or a 404 / 500 / slow / empty response."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if url.path == "/missing":
            self.reply(404, {"detail": "ticket T-7 not found"})
        elif url.path == "/boom":
            self.reply(500, "database on fire", content_type="text/plain")
        elif url.path == "/slow":
            time.sleep(2.0)
            self.reply(200, {"late": True})
        elif url.path == "/empty":
            self.reply(204, None)
        else:
            self.reply(
                200,
                {
                    "method": self.command,
                    "raw_path": url.path,
                    "query": parse_qs(url.query),
                    "body": json.loads(raw_body) if raw_body else None,
                    "content_type": self.headers.get("content-type"),
                    "request_id": self.headers.get("x-request-id"),
                },
            )

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def reply(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        data = b"" if payload is None else (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        if data:
            self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the slow handler writes to a client that already gave up


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


ECHO_30 = (
    HEAD_30
    + """\
servers: [{url: "http://catalog.example"}]
paths:
  /echo/{folder}/{name}:
    post:
      operationId: echoPost
      parameters:
        - {name: folder, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: X-Request-Id, in: header, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title]
              properties: {title: {type: string}, count: {type: integer}}
      responses: {"200": {description: ok}}
  /echo:
    get:
      operationId: echoGet
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /missing:
    get: {operationId: getMissing, responses: {"404": {description: not found}}}
  /boom:
    get: {operationId: getBoom, responses: {"500": {description: broken}}}
  /slow:
    get: {operationId: getSlow, responses: {"200": {description: ok}}}
  /empty:
    delete: {operationId: deleteEmpty, responses: {"204": {description: gone}}}
"""
)


def echo_tools(tmp_path: Path, base_url: str, **config: Any) -> Iterator[dict[str, ApiOperationTool]]:
    tools = catalog_tools(CatalogConfig(path=write(tmp_path, ECHO_30), base_url=base_url, **config))
    yield {tool.name: tool for tool in tools}
    tools[0].catalog.close()


@pytest.fixture
def api(tmp_path: Path, echo_url: str) -> Iterator[dict[str, ApiOperationTool]]:
    yield from echo_tools(tmp_path, echo_url, timeout_s=0.3, max_response_chars=12)


def test_path_query_header_and_body_arrive_at_the_server(api: dict[str, ApiOperationTool]) -> None:
    result = api["api.echoPost"].call(
        {"folder": "Q3 reports/final", "name": "café", "tags": ["a b", "c&d"], "X-Request-Id": "r-1", "title": "Hi"}
    )
    assert result.ok, result.error
    assert result.value["status"] == 200
    assert result.value["body"] == {
        "method": "POST",
        "raw_path": "/echo/Q3%20reports%2Ffinal/caf%C3%A9",
        "query": {"tags": ["a b", "c&d"]},
        "body": {"title": "Hi"},
        "content_type": "application/json",
        "request_id": "r-1",
    }


def test_a_get_sends_its_query_and_no_body(api: dict[str, ApiOperationTool]) -> None:
    result = api["api.echoGet"].call({"q": "printer jam", "limit": 5})
    assert result.ok, result.error
    body = result.value["body"]
    assert (body["method"], body["query"], body["body"]) == ("GET", {"q": ["printer jam"], "limit": ["5"]}, None)


def test_a_404_comes_back_as_an_error_with_the_servers_detail(api: dict[str, ApiOperationTool]) -> None:
    result = api["api.getMissing"].call({})
    # max_response_chars=12 cuts the detail.
    assert result.error == "HTTP 404 Not Found: ticket T-7 …"
    assert result.value is None


def test_a_500_comes_back_as_an_error_with_the_text_body(api: dict[str, ApiOperationTool]) -> None:
    assert api["api.getBoom"].call({}).error == "HTTP 500 Internal Server Error: database on…"


def test_an_empty_2xx_response_has_no_body(api: dict[str, ApiOperationTool]) -> None:
    assert api["api.deleteEmpty"].call({}).value == {"status": 204, "body": None}


def test_a_slow_server_gives_a_timeout_error(api: dict[str, ApiOperationTool], echo_url: str) -> None:
    result = api["api.getSlow"].call({})
    assert result.error == f"GET {echo_url}/slow timed out after 0.3 s"


def test_a_closed_port_gives_a_clear_connection_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is free again and nothing listens on it.
    for tools in echo_tools(tmp_path, f"http://127.0.0.1:{port}"):
        result = tools["api.echoGet"].call({"q": "x"})
        assert result.error == f"could not reach http://127.0.0.1:{port}: connection refused"


def test_invalid_arguments_are_an_error_result_not_an_exception(api: dict[str, ApiOperationTool]) -> None:
    result = api["api.echoPost"].call({"folder": "a", "name": "b", "title": "t", "colour": "red"})
    assert result.error is not None and "colour" in result.error
    assert "'q' is a required property" in api["api.echoGet"].call({}).error


def test_calls_after_the_catalog_is_closed_are_error_results(tmp_path: Path, echo_url: str) -> None:
    tools = catalog_tools(CatalogConfig(path=write(tmp_path, ECHO_30), base_url=echo_url))
    with tools[0].catalog:
        assert tools[1].call({"q": "x"}).ok
    result = tools[1].call({"q": "x"})
    assert result.error is not None and "closed" in result.error


# ---------------------------------------------------------------- the demo company's catalog and service

DEMO_CATALOG = Path(__file__).resolve().parents[1] / "data" / "demo" / "catalog.yaml"


@pytest.fixture
def demo_api(tmp_path: Path) -> Iterator[dict[str, ApiOperationTool]]:
    from assistant.demo.api import start_in_background

    server = start_in_background("127.0.0.1", 0, tmp_path / "demo.db")  # port 0: a free port
    tools = catalog_tools(CatalogConfig(path=DEMO_CATALOG, base_url=server.url))
    try:
        yield {tool.name: tool for tool in tools}
    finally:
        tools[0].catalog.close()
        server.stop()


def test_every_demo_operation_becomes_a_tool_with_a_valid_schema() -> None:
    catalog = load_catalog(DEMO_CATALOG)
    tools = catalog_tools(CatalogConfig(path=DEMO_CATALOG))
    assert [tool.name for tool in tools] == [f"api.{op.operation_id}" for op in catalog.operations]
    assert len(tools) >= 10
    for tool in tools:
        jsonschema.Draft202012Validator.check_schema(tool.parameters)
        assert tool.parameters["type"] == "object"
        assert tool.description and len(tool.description) <= 300
        assert tool.side_effects is (tool.operation.method != "GET")
        for name, schema in tool.parameters["properties"].items():
            assert schema.get("description"), f"{tool.name}: argument {name!r} has no description"
    tools[0].catalog.close()


def test_demo_tools_call_the_demo_service(demo_api: dict[str, ApiOperationTool]) -> None:
    employee = demo_api["api.getEmployee"].call({"employee_id": "E1009"})
    assert employee.ok, employee.error
    assert employee.value["status"] == 200
    assert employee.value["body"]["name"] == "Sofia Rossi"

    created = demo_api["api.createTicket"].call(
        {"requester_id": "E1011", "title": "Laptop will not connect to the VPN", "category": "network"}
    )
    assert created.ok, created.error
    assert created.value["status"] == 201
    ticket = created.value["body"]
    assert (ticket["requester_id"], ticket["status"], ticket["priority"]) == ("E1011", "open", "normal")

    fetched = demo_api["api.getTicket"].call({"ticket_id": ticket["id"]})
    assert fetched.ok and fetched.value["body"]["title"] == "Laptop will not connect to the VPN"

    missing = demo_api["api.getEmployee"].call({"employee_id": "E9999"})
    assert missing.error is not None and missing.error.startswith("HTTP 404 Not Found: ")


# ---------------------------------------------------------------- a second company's catalog (bring your own)

HARBOR_CATALOG = Path(__file__).resolve().parents[1] / "data" / "examples" / "harbor" / "catalog.yaml"


def test_the_harbor_example_catalog_loads_with_valid_argument_schemas() -> None:
    """The OpenAPI 3.0 example that data/train/harbor-lora.yaml trains on becomes 12 well-formed tools."""
    catalog = load_catalog(HARBOR_CATALOG)
    assert len(catalog.operations) == 12
    assert len({op.operation_id for op in catalog.operations}) == 12
    assert catalog.server_url == "http://127.0.0.1:8790"
    tools = catalog_tools(CatalogConfig(path=HARBOR_CATALOG))
    for tool in tools:
        jsonschema.Draft202012Validator.check_schema(tool.parameters)
        assert tool.parameters["type"] == "object"
        assert tool.description and len(tool.description) <= 300
        for name, schema in tool.parameters["properties"].items():
            assert schema.get("description"), f"{tool.name}: argument {name!r} has no description"
    assert {"path", "query", "body"} <= {where for op in catalog.operations for where in op.locations.values()}
    assert sum(tool.side_effects for tool in tools) == 5
    tools[0].catalog.close()


def test_a_generated_catalog_of_many_operations_loads_each_one_whole(tmp_path: Path) -> None:
    # Correctness only; the time a large catalog takes to load is measured by bench/adversarial.py.
    paths = {
        f"/items{i}/{{item_id}}": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "get": {"operationId": f"getItem{i}", "responses": {"200": {"description": "ok"}}},
            "put": {
                "operationId": f"putItem{i}",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                "responses": {"200": {"description": "ok"}},
            },
        }
        for i in range(300)
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Many", "version": "1"},
        "paths": paths,
        "components": {
            "parameters": {"ItemId": {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}},
            "schemas": {"Item": {"type": "object", "required": ["name"],
                                 "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}},
        },
    }
    operations = operations_by_id(write(tmp_path, json.dumps(document), name="many.json"))
    assert len(operations) == 600
    assert list(operations)[:3] == ["getItem0", "putItem0", "getItem1"]
    for i in range(300):
        assert operations[f"getItem{i}"].locations == {"item_id": "path"}
        put = operations[f"putItem{i}"]
        assert put.locations == {"item_id": "path", "name": "body", "size": "body"}
        assert put.parameters["required"] == ["item_id", "name"]
