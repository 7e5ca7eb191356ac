"""One loaded Gemini image model: the SDK client (imported at first use), limits, retries and the answer's image."""
from __future__ import annotations

import importlib
import logging
import os
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from zflow.errors import PluginError, TaskError

from .contents import Ask
from .limits import Limits
from .models import ModelSpec
from .settings import Settings
from .sizing import SizeMapping

log = logging.getLogger(__name__)

#: HTTP statuses worth another try: request timeout, rate limit, server errors.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Finish reasons that mean the model refused to make the image.
BLOCKED = frozenset({"IMAGE_SAFETY", "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT",
                     "RECITATION", "IMAGE_RECITATION"})
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"


@dataclass(frozen=True, slots=True)
class Reply:
    """The image the model answered with and the facts provenance keeps."""

    data: bytes
    model_version: str | None
    response_id: str | None
    usage: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1


class Service:
    """Sends requests for one model id through the google-genai SDK, within the stage's limits."""

    def __init__(self, model: str, spec: ModelSpec, settings: Settings):
        try:
            from google import genai
            from google.genai import types
        except ImportError:
            raise PluginError("the nanobanana backend needs the google-genai SDK: "
                              "pip install 'zflow[gemini]'") from None
        self.model, self.spec, self.settings = model, spec, settings
        self.types = types
        self.where = settings.base_url or os.environ.get("GOOGLE_GEMINI_BASE_URL") or DEFAULT_BASE_URL
        http = types.HttpOptions(base_url=settings.base_url, api_version=settings.api_version,
                                 timeout=max(1, round(settings.timeout * 1000)))
        self.client = genai.Client(api_key=api_key(settings), vertexai=False, http_options=http)
        self.limits = Limits(settings.concurrency, settings.rpm)
        self.timeouts, self.transports = _network_errors()

    def close(self) -> None:
        self.client.close()

    def generate(self, task_id: str, ask: Ask, mapping: SizeMapping, seed: int | None) -> Reply:
        """The image for one request, retrying 408/429/5xx and network failures with back-off within the limits."""
        from google.genai import errors

        types = self.types
        contents: list[Any] = [types.Part.from_bytes(data=p.data, mime_type=p.mime) for p in ask.pictures]
        contents.append(ask.text)
        config = types.GenerateContentConfig(
            response_modalities=["IMAGE"], seed=seed,
            image_config=types.ImageConfig(aspect_ratio=mapping.aspect_ratio, image_size=mapping.image_size))
        attempts, attempt = self.settings.retries + 1, 0
        while True:
            attempt += 1
            delay = None
            try:
                with self.limits.slot():
                    response = self.client.models.generate_content(model=self.model, contents=contents,
                                                                   config=config)
                return _reply(task_id, response, attempt)
            except errors.APIError as exc:
                failure = f"{self.model} answered HTTP {exc.code} {exc.status or ''}: {exc.message or exc}"
                if exc.code not in RETRY_STATUSES:
                    if exc.code in (401, 403) or "API key" in str(exc.message):
                        failure += f" (the key comes from {' or '.join(self.settings.key_variables)})"
                    raise TaskError(task_id, failure) from None
                delay = _server_delay(exc)
            except self.timeouts:
                failure = f"no answer from {self.where} within {self.settings.timeout:g} s (options.timeout)"
            except self.transports as exc:
                failure = f"cannot reach {self.where} (options.base_url): {type(exc).__name__}: {exc}"
            if attempt == attempts:
                raise TaskError(task_id, f"{failure} (after {attempt} attempt(s); options.retries)")
            wait = self._backoff(attempt, delay)
            log.info("%s: retrying in %.2f s (attempt %d of %d)", task_id, wait, attempt + 1, attempts)
            time.sleep(wait)

    def _backoff(self, attempt: int, server_delay: float | None) -> float:
        """Exponential back-off with jitter, at least what the server asked for, at most options.max_backoff."""
        s = self.settings
        wait = s.backoff * 2 ** (attempt - 1) * (1 + random.random() / 4)
        return min(max(wait, server_delay or 0.0), max(s.max_backoff, server_delay or 0.0))


def api_key(settings: Settings) -> str:
    """The API key from the environment; a PluginError naming the variables when none is set."""
    for name in settings.key_variables:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise PluginError(f"no Gemini API key: set {' or '.join(settings.key_variables)} in the environment "
                      "(the nanobanana backend reads the key from there only)")


def _reply(task_id: str, response: Any, attempts: int) -> Reply:
    """The first image of an answer; a TaskError with the reason when the model made none (a blocked image)."""
    candidates = response.candidates or []
    if not candidates:
        feedback = response.prompt_feedback
        reason = _name(feedback.block_reason) if feedback and feedback.block_reason else "no candidates"
        raise TaskError(task_id, f"the prompt was blocked ({reason})")
    candidate = candidates[0]
    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    for part in parts:
        if part.inline_data is not None and part.inline_data.data and not part.thought:
            usage = response.usage_metadata.model_dump(exclude_none=True) if response.usage_metadata else {}
            return Reply(part.inline_data.data, response.model_version, response.response_id, usage, attempts)
    reason = _name(candidate.finish_reason) if candidate.finish_reason else "no image"
    detail = f": {candidate.finish_message}" if candidate.finish_message else ""
    if reason in BLOCKED:
        raise TaskError(task_id, f"the model blocked the image (finishReason {reason}{detail})")
    text = " ".join(p.text for p in parts if p.text and not p.thought)[:200]
    said = f": {text}" if text else ""
    raise TaskError(task_id, f"the answer held no image (finishReason {reason}{detail}){said}")


def _server_delay(exc: Any) -> float | None:
    """Seconds the server asked to wait: a Retry-After header or a RetryInfo ``retryDelay`` ("12s")."""
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after", "") if hasattr(response, "headers") else ""
    if re.fullmatch(r"\d+(\.\d+)?", header):
        return float(header)
    body = exc.details if isinstance(exc.details, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    for detail in error.get("details") or []:
        delay = str(detail.get("retryDelay", "")) if isinstance(detail, dict) else ""
        if re.fullmatch(r"\d+(\.\d+)?s", delay):
            return float(delay[:-1])
    return None


def _network_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """Timeout and transport exceptions of the HTTP library the SDK sends with (httpx, or its fork httpx2)."""
    timeouts, transports = [], []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transports.append(module.TransportError)
    return tuple(timeouts), tuple(transports)


def _name(value: Any) -> str:
    return str(getattr(value, "value", value))
