#!/usr/bin/env python3
"""Record what the official Python SDK (`friendli` 0.16.5 on PyPI) sends for each non-inference call.

The companion of `record_official.py` (inference): the same recording server (`recorder.py`), for
dedicated endpoint management, files, datasets, cost and usage, images, audio transcriptions
(multipart) and text classification. It writes, per case, the arguments in a neutral JSON form and the request
that arrived, to `tests/integration/tests/fixtures/official_wire_platform_0.16.5.json`;
`tests/integration/tests/official_wire_platform.rs` replays every case with the `friendli` crate
against `friendli-mock` and compares the two requests (method, path, query, headers, and the JSON
body or the multipart parts).

Usage (from the workspace root; needs only the standard library and `friendli==0.16.5`):

    python3 -m venv /tmp/fsdk && /tmp/fsdk/bin/pip install friendli==0.16.5
    /tmp/fsdk/bin/python tests/integration/wire/record_official_platform.py [OUTPUT.json]

Arguments (`args` of a case): `path` (path parameters), `query` (query parameters), `body` (a JSON
body), `fields` (the non-file fields of a multipart form) and `file` (its file part: `part`,
`file_name`, `content_type` or null, `content_base64`); API names throughout, `null` an explicit
`None`. Each is turned into the keyword arguments of the Python method (snake_case names).

Two namespaces of 0.16.5 cannot be reached through `SyncFriendli`:

- `file`: `friendli/core/file_sdk.py` (`SyncFileSDK`) is generated but mounted on no namespace;
- `dataset`: `SyncFriendli.dataset` raises `AttributeError` (the hand-written wrapper imports the
  generated `friendli/core/dataset.py`, whose class body names `models.DedicatedDatasetModality`,
  which `friendli/core/models/__init__.py` does not export).

Both generated classes, and the models they name, are in the package; only the exports of
`friendli.core.models` are missing. `reach_unmounted_namespaces` registers exactly the missing
names that `file_sdk.py` and `dataset.py` use (each from the module of the package that defines
it), then builds `SyncFileSDK` and the generated `SyncDataset` on the client's configuration. The
generated methods then run unchanged; their cases say `"via": "generated class"` in the fixture.

Only the requests matter: if the SDK cannot parse the recorder's minimal answer, the exception is
caught and reported on stderr.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import os
import re
import sys
from urllib.parse import parse_qsl, urlsplit

import httpx

from friendli import SyncFriendli

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recorder  # noqa: E402 - the sibling module

# --------------------------------------------------------------------------------------------
# The recorder
# --------------------------------------------------------------------------------------------


def parse_form(content_type: str, body: bytes) -> list[dict]:
    """The parts of a multipart/form-data body, in order: name, filename, content type, value."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("no boundary")
    delimiter = b"--" + match.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        part = {"name": None, "filename": None, "content_type": None}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() == "content-disposition":
                for param in re.finditer(r';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"', value):
                    if param.group(1).lower() in ("name", "filename"):
                        part[param.group(1).lower()] = param.group(2)
            elif key.strip().lower() == "content-type":
                part["content_type"] = value.strip()
        try:
            part["text"] = data.decode("utf-8")
        except UnicodeDecodeError:
            part["base64"] = base64.b64encode(data).decode()
        parts.append(part)
    return parts


class Recorder(recorder.RecordingHandler):
    def do_PUT(self):
        self.handle_any()

    def do_PATCH(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def record(self, raw: bytes) -> tuple[dict, tuple[str, bytes]]:
        content_type = self.headers.get("content-type")
        target = urlsplit(self.path)
        record = {
            "method": self.command,
            "target": self.path,
            "path": target.path,
            "query": [list(pair) for pair in parse_qsl(target.query, keep_blank_values=True)],
            "headers": {
                # The media type alone: a multipart boundary is random.
                "content-type": content_type.split(";")[0].strip() if content_type else None,
                "accept": self.headers.get("accept"),
                "x-friendli-team": self.headers.get("x-friendli-team"),
                "authorization": self.headers.get("authorization") is not None,
            },
            "body_length": len(raw),
        }
        stream = False
        if content_type and content_type.startswith("multipart/form-data"):
            record["form"] = parse_form(content_type, raw)
            stream = any(p["name"] == "stream" and p.get("text") == "true" for p in record["form"])
        elif raw:
            try:
                record["json"] = json.loads(raw)
            except ValueError:
                record["raw"] = raw.decode("utf-8", "replace")
        if stream:
            return record, ("text/event-stream", recorder.sse([(None, "[DONE]")]))
        return record, ("application/json", b"{}")


# --------------------------------------------------------------------------------------------
# Reaching the generated `file` and `dataset` classes of 0.16.5
# --------------------------------------------------------------------------------------------


def reach_unmounted_namespaces(client: SyncFriendli):
    """`SyncFileSDK` and the generated `SyncDataset`, built on the client's configuration, after
    registering the model names `file_sdk.py` and `dataset.py` use that `friendli.core.models` does
    not export. Returns (file namespace, dataset namespace, the names registered)."""
    import friendli.core as core
    import friendli.core.models as models

    core_dir = os.path.dirname(core.__file__)
    models_dir = os.path.dirname(models.__file__)
    used = set()
    for source in ("file_sdk.py", "dataset.py"):
        with open(os.path.join(core_dir, source), encoding="utf-8") as f:
            used |= set(re.findall(r"\bmodels\.([A-Za-z_][A-Za-z0-9_]*)", f.read()))
    missing = sorted(name for name in used if name not in models._dynamic_imports)
    definitions = {}
    for file_name in sorted(os.listdir(models_dir)):
        if not file_name.endswith(".py") or file_name == "__init__.py":
            continue
        with open(os.path.join(models_dir, file_name), encoding="utf-8") as f:
            source = f.read()
        for name in missing:
            if name not in definitions and re.search(rf"^(class {name}\b|{name}\s*=)", source, re.M):
                definitions[name] = "." + file_name[:-3]
    unresolved = [name for name in missing if name not in definitions]
    if unresolved:
        raise RuntimeError(f"no module of the package defines {unresolved}")
    models._dynamic_imports.update(definitions)

    from friendli.core.dataset import SyncDataset
    from friendli.core.file_sdk import SyncFileSDK

    return (
        SyncFileSDK(client.sdk_configuration, parent_ref=client),
        SyncDataset(client.sdk_configuration, parent_ref=client),
        definitions,
    )


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

TEAMS = {
    "dedicated": "team-dedicated-1",
    "platform": "team-platform-1",
    "serverless": "team-serverless-1",
    "container": None,
}
ENDPOINT = "ep-abc123"
DATASET = "ds-1"
SPLIT = "split-train"
VERSION = "ver-2"
FILE_ID = "file-77"
# A cursor as the API hands it out (`nextCursor`): opaque text, here with base64 padding.
CURSOR = "eyJvZmZzZXQiOiAyMH0="

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00\xff\xfe"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64\x00"
SAMPLES = b'{"messages": [{"role": "user", "content": "hi"}]}\n{"messages": []}\n'
IMAGE_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").decode()


def file_arg(file_name: str, content: bytes, content_type: str | None, part: str = "file") -> dict:
    return {
        "part": part,
        "file_name": file_name,
        "content_type": content_type,
        "content_base64": base64.b64encode(content).decode(),
    }


def build_cases() -> list[dict]:
    cases = []

    def add(name, family, python, operation_id, args, via="SyncFriendli", stream=False):
        cases.append(
            {
                "name": name,
                "family": family,
                "call": python + (" (stream=True)" if stream else ""),
                "via": via,
                "operation_id": operation_id,
                "stream": stream,
                "team": TEAMS[family],
                "args": copy.deepcopy(args),
            }
        )

    # Dedicated endpoint management.
    ep = {"endpoint_id": ENDPOINT}
    add(
        "endpoint_create_minimal",
        "dedicated",
        "dedicated.endpoint.create",
        "dedicatedCreateEndpoint",
        {
            "body": {
                "projectId": "proj-1",
                "name": "my-endpoint",
                "instanceOptionId": "ShbPuOs4tfGb",
                "hfModelRepo": "meta-llama/Llama-3.1-8B-Instruct",
                "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": False},
                "autoscalingPolicy": {"minReplica": 0},
            }
        },
    )
    add(
        "endpoint_create_full",
        "dedicated",
        "dedicated.endpoint.create",
        "dedicatedCreateEndpoint",
        {
            "body": {
                "projectId": "proj-1",
                "name": "my-endpoint-2",
                "instanceOptionId": "TwD5AqnBSVN0",
                "hfModelRepo": "Qwen/Qwen2.5-7B-Instruct",
                "hfModelRepoRevision": "a1b2c3d",
                "initialVersionComment": "first",
                "simplescale": {"replicas": 2},
                "autoscalingPolicy": None,
                "advanced": {
                    "tokenizer_skip_special_tokens": False,
                    "tokenizer_add_special_tokens": True,
                    "max_batch_size": 64,
                    "max_token_count": 8192,
                    "enable_content_logging": False,
                    "max_input_length": 4096,
                    "queue_timeout_ms": 1500,
                    "queue_backpressure_metric_kind": "TTFT_MS",
                    "queue_backpressure_metric_threshold": 0.75,
                },
            }
        },
    )
    add("endpoint_list_default", "dedicated", "dedicated.endpoint.list", "dedicatedListEndpoints", {"query": {}})
    add(
        "endpoint_list_cursor",
        "dedicated",
        "dedicated.endpoint.list",
        "dedicatedListEndpoints",
        {"query": {"project_id": "proj-1", "cursor": CURSOR, "limit": 5}},
    )
    add("endpoint_get_spec", "dedicated", "dedicated.endpoint.get_spec", "dedicatedGetEndpoint", {"path": ep})
    add(
        "endpoint_update",
        "dedicated",
        "dedicated.endpoint.update",
        "dedicatedUpdateEndpoint",
        {
            "path": ep,
            "body": {
                "name": "renamed",
                "instanceOptionId": "mrAHuYt7T40o",
                "autoscalingPolicy": {"minReplica": 1, "maxReplica": 3, "cooldownPeriod": 60},
                "newVersionComment": "scale up",
                "hfModelRepoRevision": None,
            },
        },
    )
    add("endpoint_delete", "dedicated", "dedicated.endpoint.delete", "dedicatedDeleteEndpoint", {"path": ep})
    add("endpoint_get_status", "dedicated", "dedicated.endpoint.get_status", "dedicatedGetEndpointStatus", {"path": ep})
    add(
        "endpoint_get_status_reserved_characters",
        "dedicated",
        "dedicated.endpoint.get_status",
        "dedicatedGetEndpointStatus",
        {"path": {"endpoint_id": "ep 1/x"}},
    )
    for action, operation in (
        ("sleep", "dedicatedSleepEndpoint"),
        ("wake", "dedicatedWakeEndpoint"),
        ("restart", "dedicatedRestartEndpoint"),
        ("terminate", "dedicatedTerminateEndpoint"),
    ):
        add(f"endpoint_{action}", "dedicated", f"dedicated.endpoint.{action}", operation, {"path": ep})
    add(
        "endpoint_version_history_default",
        "dedicated",
        "dedicated.endpoint.get_version_history",
        "dedicatedGetEndpointVersionHistory",
        {"path": ep, "query": {}},
    )
    add(
        "endpoint_version_history_cursor",
        "dedicated",
        "dedicated.endpoint.get_version_history",
        "dedicatedGetEndpointVersionHistory",
        {"path": ep, "query": {"cursor": CURSOR, "limit": 3}},
    )
    add(
        "endpoint_wandb_artifact_create",
        "dedicated",
        "dedicated.endpoint.wandb_artifact_create",
        "dedicatedEndpointWandbArtifactCreate",
        {
            "body": {
                "wandbArtifactVersionName": "team/project/model:v3",
                "accelerator": {"type": "H100", "count": 1},
                "name": "from-wandb",
                "projectId": "proj-1",
                "idempotencyKey": "idem-1",
                "autoscalingPolicy": {"minReplica": 0, "maxReplica": 2, "cooldownPeriod": 120},
            }
        },
    )

    # Files (the generated `SyncFileSDK`).
    f = {"file_id": FILE_ID}
    add(
        "file_init_upload",
        "platform",
        "file.init_upload",
        "init_upload",
        {
            "body": {
                "name": "samples.jsonl",
                "size": 1234,
                "digest": "sha256:" + "ab" * 32,
                "projectId": "proj-1",
            }
        },
        via="generated class",
    )
    add("file_complete_upload", "platform", "file.complete_upload", "complete_upload", {"path": f}, via="generated class")
    add("file_get_info", "platform", "file.get_info", "get_info", {"path": f}, via="generated class")
    add("file_get_download_url", "platform", "file.get_download_url", "get_download_url", {"path": f}, via="generated class")

    # Datasets (the generated `SyncDataset`).
    d = {"dataset_id": DATASET}
    ds = {"dataset_id": DATASET, "split_id": SPLIT}
    dv = {"dataset_id": DATASET, "version_id": VERSION}
    gen = "generated class"
    add(
        "dataset_create",
        "platform",
        "dataset.create_dataset",
        "create_dataset",
        {"body": {"name": "chat-set", "projectId": "proj-1", "modality": {"input_modals": ["TEXT", "IMAGE"], "output_modals": ["TEXT"]}}},
        via=gen,
    )
    add(
        "dataset_list",
        "platform",
        "dataset.list_datasets",
        "list_datasets",
        {"query": {"projectId": "proj-1", "cursor": CURSOR, "limit": 10, "direction": "desc", "nameSearch": "chat"}},
        via=gen,
    )
    add("dataset_get", "platform", "dataset.get_dataset", "get_dataset", {"path": d}, via=gen)
    add("dataset_delete", "platform", "dataset.delete_dataset", "delete_dataset", {"path": d}, via=gen)
    add("dataset_create_version", "platform", "dataset.create_version", "create_version", {"path": d, "query": {"comment": "v2: cleaned"}}, via=gen)
    add("dataset_list_versions", "platform", "dataset.list_versions", "list_versions", {"path": d}, via=gen)
    add("dataset_get_version", "platform", "dataset.get_version", "get_version", {"path": dv}, via=gen)
    add("dataset_delete_version", "platform", "dataset.delete_version", "delete_version", {"path": dv}, via=gen)
    add("dataset_create_split", "platform", "dataset.create_split", "create_split", {"path": d, "query": {"name": "train"}}, via=gen)
    add(
        "dataset_list_splits",
        "platform",
        "dataset.list_splits",
        "list_splits",
        {"path": d, "query": {"cursor": CURSOR, "limit": 2, "direction": "asc", "versionId": VERSION}},
        via=gen,
    )
    add("dataset_get_split", "platform", "dataset.get_split", "get_split", {"path": ds}, via=gen)
    add("dataset_delete_split", "platform", "dataset.delete_split", "delete_split", {"path": ds}, via=gen)
    add(
        "dataset_add_samples",
        "platform",
        "dataset.add_samples",
        "add_samples",
        {"path": ds, "body": ['{"messages": [{"role": "user", "content": "hi"}]}', '{"messages": []}']},
        via=gen,
    )
    add(
        "dataset_list_samples",
        "platform",
        "dataset.list_samples",
        "list_samples",
        {"path": ds, "query": {"cursor": CURSOR, "limit": 50, "direction": "desc", "versionId": VERSION}},
        via=gen,
    )
    add(
        "dataset_update_samples",
        "platform",
        "dataset.update_samples",
        "upload_raw_samples",
        {"path": ds, "fields": {}, "file": file_arg("samples.jsonl", SAMPLES, "application/jsonl")},
        via=gen,
    )
    add(
        "dataset_delete_samples",
        "platform",
        "dataset.delete_samples",
        "delete_samples",
        {"path": ds, "body": ["ds-1:ver-2:split-train:0", 7]},
        via=gen,
    )

    # Cost and usage.
    period = {"start_time": "2025-06-01T00:00:00Z", "end_time": "2025-06-08T00:00:00Z"}
    add("cost_default", "platform", "cost.get_cost", "getCost", {"query": dict(period)})
    add(
        "cost_full",
        "platform",
        "cost.get_cost",
        "getCost",
        {"query": {**period, "bucket_width": "1d", "limit": 3, "page": "page-2", "group_by": "line_item"}},
    )
    add(
        "usage_full",
        "platform",
        "usage.get_usage",
        "getUsage",
        {
            "query": {
                **period,
                "bucket_width": "1h",
                "limit": 24,
                "page": "page-3",
                "group_by": ["model", "product_type"],
                "models": ["meta-llama-3.1-8b-instruct", "ep-abc123"],
                "user_ids": ["user-1"],
                "product_types": ["model_apis", "dedicated_endpoints"],
                "gpu_types": ["H100"],
            }
        },
    )

    # Images (JSON bodies, edit included).
    add(
        "dedicated_image_generate_minimal",
        "dedicated",
        "dedicated.image.generate",
        "dedicatedImagesGenerate",
        {"body": {"model": ENDPOINT, "prompt": "A lighthouse at dusk"}},
    )
    add(
        "dedicated_image_generate_full",
        "dedicated",
        "dedicated.image.generate",
        "dedicatedImagesGenerate",
        {
            "body": {
                "model": ENDPOINT,
                "prompt": "A lighthouse at dusk",
                "num_inference_steps": 8,
                "guidance_scale": 3.5,
                "seed": 42,
                "response_format": "png",
                "control_images": [{"image": IMAGE_B64}],
                "controlnet_weights": [0.6],
            }
        },
    )
    add(
        "dedicated_image_edit",
        "dedicated",
        "dedicated.image.edit",
        "dedicatedImagesEdit",
        {
            "body": {
                "model": ENDPOINT,
                "prompt": "Make it snow",
                "image": [{"image": IMAGE_B64}, {"image": "https://example.com/b.png"}],
                "seed": None,
                "response_format": "url",
            }
        },
    )
    add(
        "container_image_generate",
        "container",
        "container.image.generate",
        "containerImagesGenerate",
        {"body": {"prompt": "A lighthouse at dusk", "response_format": "raw"}},
    )
    add(
        "container_image_edit",
        "container",
        "container.image.edit",
        "containerImagesEdit",
        {
            "body": {
                "model": "adapter-1",
                "prompt": "Make it snow",
                "image": {"image": IMAGE_B64},
                "num_inference_steps": 4,
                "guidance_scale": 1.5,
                "seed": 7,
            }
        },
    )

    # Audio transcriptions (multipart).
    add(
        "serverless_audio_transcribe",
        "serverless",
        "serverless.audio.transcribe",
        "serverlessAudioTranscriptions",
        {
            "fields": {"model": "whisper-large-v3", "language": "en", "temperature": 0.2, "chunking_strategy": "auto"},
            "file": file_arg("speech.wav", WAV, "audio/wav"),
        },
    )
    add(
        "serverless_audio_stream",
        "serverless",
        "serverless.audio.transcribe",
        "serverlessAudioTranscriptionsStream",
        {
            "fields": {
                "model": "whisper-large-v3",
                "chunking_strategy": {"type": "server_vad", "prefix_padding_ms": 200, "silence_duration_ms": 500, "threshold": 0.4},
            },
            "file": file_arg("speech.mp3", MP3, "audio/mpeg"),
        },
        stream=True,
    )
    add(
        "dedicated_audio_transcribe",
        "dedicated",
        "dedicated.audio.transcribe",
        "dedicatedAudioTranscriptions",
        {
            "fields": {"model": ENDPOINT, "language": None, "temperature": 0.0, "chunking_strategy": {"type": "server_vad"}},
            # No content type given: each SDK guesses one from the file name.
            "file": file_arg("speech.wav", WAV, None),
        },
    )
    add(
        "dedicated_audio_stream",
        "dedicated",
        "dedicated.audio.transcribe",
        "dedicatedAudioTranscriptionsStream",
        {
            "fields": {"model": ENDPOINT, "language": "ko", "chunking_strategy": "auto"},
            "file": file_arg("speech.mp3", MP3, None),
        },
        stream=True,
    )
    add(
        "container_audio_transcribe",
        "container",
        "container.audio.transcribe",
        "containerAudioTranscriptions",
        {"fields": {"chunking_strategy": "auto"}, "file": file_arg("speech.wav", WAV, "audio/wav")},
    )
    add(
        "container_audio_stream",
        "container",
        "container.audio.transcribe",
        "containerAudioTranscriptionsStream",
        {
            "fields": {"model": "adapter-1", "language": "en", "temperature": 0.5},
            "file": file_arg("speech.mp3", MP3, "audio/mpeg"),
        },
        stream=True,
    )

    # Text classification.
    add(
        "dedicated_classify",
        "dedicated",
        "dedicated.text_classification.classify",
        "dedicatedTextClassification",
        {"body": {"model": ENDPOINT, "input": ["I love it", "I hate it"]}},
    )
    add(
        "container_classify",
        "container",
        "container.text_classification.classify",
        "containerTextClassification",
        {"body": {"tokens": [101, 2023, 102]}},
    )
    return cases


# --------------------------------------------------------------------------------------------
# Driving the official SDK
# --------------------------------------------------------------------------------------------

# API names whose Python keyword differs from the snake_case of the name.
KWARG_NAMES = {"input": "input_"}
# Operations whose JSON body is a list: the keyword that takes it.
LIST_BODY_KWARG = "request_body"


def snake(name: str) -> str:
    if name in KWARG_NAMES:
        return KWARG_NAMES[name]
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def python_value(key: str, value):
    if key in ("start_time", "end_time"):
        # The SDK types these as `datetime`.
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def kwargs_of(case: dict) -> dict:
    args = copy.deepcopy(case["args"])
    kwargs: dict = {}
    for key, value in args.get("path", {}).items():
        kwargs[key] = value
    for key, value in args.get("query", {}).items():
        kwargs[snake(key)] = python_value(key, value)
    body = args.get("body")
    if isinstance(body, list):
        kwargs[LIST_BODY_KWARG] = body
    elif isinstance(body, dict):
        for key, value in body.items():
            kwargs[snake(key)] = value
    for key, value in args.get("fields", {}).items():
        kwargs[snake(key)] = value
    if "file" in args:
        spec = args["file"]
        file = {"file_name": spec["file_name"], "content": base64.b64decode(spec["content_base64"])}
        if spec["content_type"] is not None:
            file["content_type"] = spec["content_type"]
        kwargs[spec["part"]] = file
        # Audio: `stream` is a form field of the one `transcribe` method.
        if case["operation_id"].endswith("Transcriptions") or case["operation_id"].endswith("TranscriptionsStream"):
            kwargs["stream"] = case["stream"]
    if case["team"] is not None:
        kwargs["x_friendli_team"] = case["team"]
    return kwargs


def call(namespaces: dict, base_url: str, case: dict):
    dotted = case["call"].split(" ")[0].split(".")
    target = namespaces[dotted[0]]
    for attribute in dotted[1:]:
        target = getattr(target, attribute)
    kwargs = kwargs_of(case)
    if case["family"] == "container":
        # 0.16.5 ignores the client's server_url for container operations (see `container_url`).
        kwargs["server_url"] = base_url
    result = target(**kwargs)
    if case["stream"] and hasattr(result, "__iter__") and not isinstance(result, (dict, str, bytes)):
        for _ in result:
            pass
    return result


def probe_container_url() -> dict:
    """Where 0.16.5 sends a container call when only the client's `server_url` is set: captured
    with an httpx transport that sends nothing."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={})

    client_url = "http://127.0.0.1:9/client-server-url"
    client = SyncFriendli(token=recorder.TOKEN, server_url=client_url, client=httpx.Client(transport=httpx.MockTransport(handler)))
    try:
        client.container.image.generate(prompt="A lighthouse at dusk")
    except Exception:  # only the URL matters
        pass
    return {
        "comment": (
            "0.16.5's container operations ignore the client's server_url (the client's "
            "`server_url` below) and go to their own default server unless a per-call "
            "server_url is given; the container cases above pass one."
        ),
        "call": "container.image.generate(prompt=...) on SyncFriendli(server_url=client_server_url)",
        "client_server_url": client_url,
        "sent_to": seen,
    }


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else ""


def prepare(client: SyncFriendli, base_url: str):
    """The cases, how to call one, and what the fixture says besides: how `file` and `dataset`
    were reached, and where container calls go."""
    dataset_error = None
    try:
        client.dataset  # noqa: B018 - the attribute access is the check
    except AttributeError as error:
        dataset_error = str(error)
    file_namespace, dataset_namespace, registered = reach_unmounted_namespaces(client)
    namespaces = {
        "dedicated": client.dedicated,
        "container": client.container,
        "serverless": client.serverless,
        "cost": client.cost,
        "usage": client.usage,
        "file": file_namespace,
        "dataset": dataset_namespace,
    }
    extra = {
        "unmounted_namespaces": {
            "comment": (
                "`file` is mounted on no namespace of SyncFriendli 0.16.5 and `SyncFriendli.dataset` "
                "raises the AttributeError below; the cases whose `via` is `generated class` ran "
                "the generated SyncFileSDK / SyncDataset after the model names listed here were "
                "registered in friendli.core.models (which does not export them)."
            ),
            "dataset_attribute_error": dataset_error,
            "registered_models": registered,
        },
        "container_url": probe_container_url(),
    }
    return build_cases(), lambda case: call(namespaces, base_url, case), extra


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else ""


def main() -> int:
    comment = (
        "What the official Python SDK sends for each non-inference operation: generated by "
        "tests/integration/wire/record_official_platform.py with friendli==0.16.5 from PyPI "
        "(command: `/tmp/fsdk/bin/python tests/integration/wire/record_official_platform.py`, "
        "run from the workspace root). Do not edit by hand: re-run the script. `args` are the "
        "arguments of the call in API names (path, query, JSON body, multipart fields and "
        "file; null = an explicit None), `team` the per-call x_friendli_team; `request` is "
        "what arrived (the query decoded, in order; a multipart body as its parts, in order, "
        "each value as UTF-8 `text` or `base64`). Checked by "
        "tests/integration/tests/official_wire_platform.rs."
    )
    return recorder.run(
        "official_wire_platform_0.16.5.json", Recorder, comment, prepare, describe=first_line, limit=160
    )


if __name__ == "__main__":
    sys.exit(main())
