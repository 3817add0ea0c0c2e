#!/usr/bin/env python3
"""Record what the official Python SDK (`friendli` 0.16.5 on PyPI) sends for each inference call.

Starts a local HTTP server on 127.0.0.1 (an ephemeral port) that records every request and answers
with a minimal body, drives `friendli.SyncFriendli` through one case per inference operation and
form, and writes the recordings, with the arguments of each case in a neutral JSON form (API field
names, `null` = an explicit `None`), to
`tests/integration/tests/fixtures/official_wire_0.16.5.json`.
`tests/integration/tests/official_wire.rs` replays every case with the `friendli` crate against
`friendli-mock` and compares the two requests. The recording harness, shared with
`record_official_platform.py`, is in `recorder.py`.

Usage (from the workspace root; needs only the standard library and `friendli==0.16.5`):

    python3 -m venv /tmp/fsdk && /tmp/fsdk/bin/pip install friendli==0.16.5
    /tmp/fsdk/bin/python tests/integration/wire/record_official.py [OUTPUT.json]

Only the requests matter: if the SDK cannot parse the recorder's minimal answer, the exception is
caught and reported on stderr.
"""

from __future__ import annotations

import copy
import json
import os
import sys

import friendli
from friendli import SyncFriendli

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recorder  # noqa: E402 - the sibling module

# --------------------------------------------------------------------------------------------
# The recorder
# --------------------------------------------------------------------------------------------

USAGE = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}


def answer(path: str, body: object) -> tuple[str, bytes]:
    """A minimal answer for `path`: (content type, bytes)."""
    stream = isinstance(body, dict) and body.get("stream") is True
    path = path.split("?", 1)[0]
    if path.endswith("/chat/completions"):
        if stream:
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
                ],
            }
            return "text/event-stream", recorder.sse([(None, chunk), (None, "[DONE]")])
        return "application/json", json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
                ],
                "usage": USAGE,
            }
        ).encode()
    if path.endswith("/completions"):
        if stream:
            chunk = {
                "id": "cmpl-1",
                "object": "text_completion",
                "created": 0,
                "choices": [{"index": 0, "text": "ok", "token": 1, "finish_reason": "stop"}],
            }
            return "text/event-stream", recorder.sse([(None, chunk), (None, "[DONE]")])
        return "application/json", json.dumps(
            {
                "id": "cmpl-1",
                "object": "text_completion",
                "choices": [
                    {"index": 0, "text": "ok", "seed": 0, "finish_reason": "stop", "tokens": [1]}
                ],
                "usage": USAGE,
            }
        ).encode()
    if path.endswith("/tokenize"):
        return "application/json", b'{"tokens": [1, 2]}'
    if path.endswith("/detokenize") or path.endswith("/chat/render"):
        return "application/json", b'{"text": "ok"}'
    if path.endswith("/embeddings"):
        return "application/json", json.dumps(
            {
                "id": "emb-1",
                "object": "list",
                "created": 0,
                "data": [{"index": 0, "object": "embedding", "embedding": [0.5]}],
                "usage": USAGE,
            }
        ).encode()
    if path.endswith("/messages"):
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "ok"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
        if stream:
            start = dict(message, content=[], stop_reason=None)
            return "text/event-stream", recorder.sse(
                [
                    ("message_start", {"type": "message_start", "message": start}),
                    ("message_stop", {"type": "message_stop"}),
                ]
            )
        return "application/json", json.dumps(message).encode()
    if path.endswith("/responses"):
        response = {
            "id": "resp_1",
            "object": "response",
            "created_at": 0,
            "status": "completed",
            "output": [],
        }
        if stream:
            return "text/event-stream", recorder.sse(
                [("response.completed", {"type": "response.completed", "sequence_number": 0, "response": response})]
            )
        return "application/json", json.dumps(response).encode()
    return "application/json", b"{}"


class Recorder(recorder.RecordingHandler):
    def record(self, raw: bytes) -> tuple[dict, tuple[str, bytes]]:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"$raw": raw.decode("utf-8", "replace")}
        record = {
            "method": self.command,
            "path": self.path,
            "headers": {
                "content-type": self.headers.get("content-type"),
                "accept": self.headers.get("accept"),
                "x-friendli-team": self.headers.get("x-friendli-team"),
                "authorization": self.headers.get("authorization") is not None,
            },
            "json": body,
        }
        return record, answer(self.path, body)


# --------------------------------------------------------------------------------------------
# The cases: arguments in a neutral form (API field names; None = an explicit null)
# --------------------------------------------------------------------------------------------

SERVERLESS_MODEL = "meta-llama-3.1-8b-instruct"
DEDICATED_MODEL = "ep-123:adapter-1"
CONTAINER_MODEL = "adapter-1"
TEAMS = {"serverless": "team-serverless-1", "dedicated": "team-dedicated-1", "container": None}
MODELS = {"serverless": SERVERLESS_MODEL, "dedicated": DEDICATED_MODEL, "container": CONTAINER_MODEL}

WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    },
    "required": ["city"],
}
CHAT_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather of a city.",
        "parameters": WEATHER_PARAMETERS,
    },
}
FORECAST_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp_c": {"type": "number"}},
    "required": ["city", "temp_c"],
}
CHAT_MESSAGES = [
    {"role": "system", "content": "You are a concise weather assistant."},
    {"role": "user", "content": "What is the weather in Seoul?", "name": "alice"},
    {
        "role": "assistant",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Seoul\"}"},
            }
        ],
    },
    {"role": "tool", "content": "{\"temp_c\": 21}", "tool_call_id": "call_1", "name": "get_weather"},
    {"role": "assistant", "content": "It is 21 °C in Seoul."},
    {"role": "user", "content": [{"type": "text", "text": "And in Busan? Answer in JSON."}]},
]


def chat_args(family: str, variant: str) -> dict:
    args = {
        "model": MODELS[family],
        "messages": CHAT_MESSAGES,
        "temperature": None,
        "max_tokens": 200,
        "top_p": 0.9,
        "stop": ["\n\n"],
        "seed": 42,
        "logit_bias": {"1000": -5.0},
        "chat_template_kwargs": {"enable_thinking": False},
    }
    if variant == "tools":
        args["tools"] = [CHAT_TOOL]
        args["tool_choice"] = {"type": "function", "function": {"name": "get_weather"}}
        args["parallel_tool_calls"] = False
    elif variant == "tools-required":
        args["tools"] = [CHAT_TOOL]
        args["tool_choice"] = "required"
    else:
        args["response_format"] = {"type": "json_schema", "json_schema": {"schema": FORECAST_SCHEMA}}
        args["frequency_penalty"] = 0.5
        args["n"] = 1
    return args


def chat_stream_extra(args: dict) -> dict:
    args = dict(args)
    args["stream_options"] = {"include_usage": True}
    return args


def completions_args(family: str, form: str) -> dict:
    args = {"model": MODELS[family]}
    if form == "prompt":
        args.update(
            {
                "prompt": "Once upon a time",
                "max_tokens": 64,
                "temperature": None,
                "top_k": 40,
                "stop": ["\n"],
                "seed": 7,
                "n": 1,
                "response_format": {"type": "json_schema", "json_schema": {"schema": FORECAST_SCHEMA}},
            }
        )
    else:
        args.update(
            {
                "tokens": [128000, 9906, 11, 1917],
                "max_tokens": 16,
                "temperature": 0.2,
                "top_p": None,
                "logprobs": 2,
                "bad_word_tokens": [{"tokens": [13]}],
                "stop_tokens": [{"tokens": [128009]}],
                "repetition_penalty": 1.1,
            }
        )
    return args


MESSAGES_TOOL = {
    "name": "get_weather",
    "description": "The current weather of a city.",
    "input_schema": WEATHER_PARAMETERS,
}
MESSAGES_CONVERSATION = [
    {"role": "user", "content": "What is the weather in Seoul?"},
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Seoul"}},
        ],
    },
    {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "21 °C"},
            {"type": "text", "text": "Summarise it in one sentence."},
        ],
    },
]


def messages_args(family: str, stream: bool) -> dict:
    args = {
        "model": MODELS[family],
        "messages": MESSAGES_CONVERSATION,
        "max_tokens": 256,
        "system": "You are a concise weather assistant.",
        "temperature": None,
        "top_k": 20,
        "stop_sequences": ["END"],
        "tools": [MESSAGES_TOOL],
        "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
        "metadata": {"user_id": "u-1"},
    }
    if stream:
        args["thinking"] = {"type": "enabled", "budget_tokens": 128}
    else:
        args["system"] = [{"type": "text", "text": "You are a concise weather assistant."}]
        args["tool_choice"] = {"type": "tool", "name": "get_weather"}
    return args


RESPONSES_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather of a city.",
    "parameters": WEATHER_PARAMETERS,
}
RESPONSES_INPUT = [
    {"role": "developer", "content": "Answer in one sentence."},
    {"role": "user", "content": [{"type": "input_text", "text": "What is the weather in Seoul?"}]},
    {
        "type": "function_call",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": "{\"city\": \"Seoul\"}",
    },
    {"type": "function_call_output", "call_id": "call_1", "output": "21 °C"},
]


def responses_args(family: str, stream: bool) -> dict:
    args = {
        "model": MODELS[family],
        "input": RESPONSES_INPUT,
        "instructions": "You are a concise weather assistant.",
        "max_output_tokens": 128,
        "temperature": None,
        "tools": [RESPONSES_TOOL],
        "tool_choice": "auto",
        "reasoning": {"effort": "low"},
    }
    if stream:
        args["input"] = "What is the weather in Seoul?"
        args["tool_choice"] = {"type": "function", "name": "get_weather"}
        args["parallel_tool_calls"] = False
    else:
        args["text"] = {
            "format": {"type": "json_schema", "name": "forecast", "schema": FORECAST_SCHEMA, "strict": True}
        }
        args["top_p"] = 0.5
    return args


FAMILY_PREFIX = {"serverless": "/serverless/v1", "dedicated": "/dedicated/v1", "container": "/v1"}


def build_cases() -> list[dict]:
    cases = []

    def add(name, family, api, method, operation_id, stream, args):
        cases.append(
            {
                "name": name,
                "family": family,
                "call": f"{family}.{api}.{method}" + (" (stream=True)" if stream else ""),
                "operation_id": operation_id,
                "stream": stream,
                "team": TEAMS[family],
                "args": copy.deepcopy(args),
            }
        )

    families = ["serverless", "dedicated", "container"]
    variants = {
        ("serverless", False): "tools",
        ("serverless", True): "json",
        ("dedicated", False): "json",
        ("dedicated", True): "tools-required",
        ("container", False): "tools",
        ("container", True): "json",
    }
    for family in families:
        for stream in (False, True):
            args = chat_args(family, variants[(family, stream)])
            if stream:
                args = chat_stream_extra(args)
            add(
                f"{family}_chat_{'stream' if stream else 'complete'}",
                family,
                "chat",
                "complete",
                f"{family}Chat{'Stream' if stream else 'Complete'}",
                stream,
                args,
            )
    for family in families:
        for form in ("prompt", "tokens"):
            for stream in (False, True):
                args = completions_args(family, form)
                if stream:
                    args["stream_options"] = {"include_usage": True}
                add(
                    f"{family}_completions_{form}_{'stream' if stream else 'complete'}",
                    family,
                    "completions",
                    "complete",
                    f"{family}Completions{'Stream' if stream else 'Complete'}",
                    stream,
                    args,
                )
    for family in families:
        model = {"model": MODELS[family]}
        if family == "container":
            model = {}  # the container's model is optional: the base model when absent
        add(
            f"{family}_tokenize",
            family,
            "token",
            "tokenize",
            f"{family}Tokenization",
            False,
            {**model, "prompt": "Hello, world! 안녕"},
        )
        add(
            f"{family}_detokenize",
            family,
            "token",
            "detokenize",
            f"{family}Detokenization",
            False,
            {**model, "tokens": [9906, 11, 1917, 0]},
        )
    for family in ("serverless", "dedicated"):  # no container chat render
        add(
            f"{family}_chat_render",
            family,
            "chat_render",
            "render",
            f"{family}ChatRender",
            False,
            {
                "model": MODELS[family],
                "messages": CHAT_MESSAGES,
                "chat_template_kwargs": {"enable_thinking": True},
                "tools": [CHAT_TOOL],
            },
        )
    for family in families:
        for stream in (False, True):
            add(
                f"{family}_messages_{'stream' if stream else 'complete'}",
                family,
                "messages",
                "messages",
                f"{family}Messages{'Stream' if stream else ''}",
                stream,
                messages_args(family, stream),
            )
    for family in families:
        for stream in (False, True):
            add(
                f"{family}_responses_{'stream' if stream else 'complete'}",
                family,
                "responses",
                "responses",
                f"{family}Responses{'Stream' if stream else ''}",
                stream,
                responses_args(family, stream),
            )
    add(
        "dedicated_embeddings",
        "dedicated",
        "embeddings",
        "embeddings",
        "dedicatedEmbeddings",
        False,
        {"model": DEDICATED_MODEL, "input": ["The sky is blue.", "하늘은 파랗다."], "encoding_format": "float"},
    )
    return cases


# --------------------------------------------------------------------------------------------
# Driving the official SDK
# --------------------------------------------------------------------------------------------

# Python keyword arguments whose name differs from the API field.
KWARG_NAMES = {"input": "input_"}
COMPLETIONS_BODY_KWARG = {
    "serverless": "serverless_completions_body",
    "dedicated": "dedicated_completions_body",
    "container": "request",
}


def call(client: SyncFriendli, base_url: str, case: dict):
    family = case["family"]
    api, method = case["call"].split(" ")[0].split(".")[1:]
    namespace = getattr(getattr(client, family), api)
    function = getattr(namespace, method)
    kwargs: dict = {}
    if api == "completions":
        body = copy.deepcopy(case["args"])
        if case["stream"]:
            body["stream"] = True
        kwargs[COMPLETIONS_BODY_KWARG[family]] = body
    else:
        for key, value in copy.deepcopy(case["args"]).items():
            kwargs[KWARG_NAMES.get(key, key)] = value
        if case["stream"]:
            kwargs["stream"] = True
    if case["team"] is not None:
        kwargs["x_friendli_team"] = case["team"]
    if family == "container":
        # 0.16.5 ignores the client's server_url for container operations.
        kwargs["server_url"] = base_url
    result = function(**kwargs)
    # A stream is read to its end so that the connection is released.
    if hasattr(result, "__iter__") and not isinstance(result, (dict, str, bytes)) and case["stream"]:
        for _ in result:
            pass
    return result


def main() -> int:
    def prepare(client: SyncFriendli, base_url: str):
        return build_cases(), lambda case: call(client, base_url, case), {}

    comment = (
        "What the official Python SDK sends for each inference operation: generated by "
        "tests/integration/wire/record_official.py with friendli==0.16.5 from PyPI "
        "(SyncFriendli against a local recording server; command: "
        "`/tmp/fsdk/bin/python tests/integration/wire/record_official.py`, run from the "
        "workspace root). Do not edit by hand: re-run the script. `args` are the arguments of "
        "the call in API field names (null = an explicit None; `stream` is the case's flag, and "
        "`team` the per-call x_friendli_team); `request` is what arrived on the wire. "
        "Checked by tests/integration/tests/official_wire.rs."
    )
    return recorder.run("official_wire_0.16.5.json", Recorder, comment, prepare)


if __name__ == "__main__":
    sys.exit(main())
