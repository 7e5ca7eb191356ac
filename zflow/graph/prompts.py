"""Prompt templates: Jinja2 in a sandbox with StrictUndefined, compiled once per source text, bounded in size."""
from __future__ import annotations

import functools
import re
from types import TracebackType
from typing import Any, Callable, Mapping

from ..dsl.limits import PROMPT_CHARS, RAISE_IT
from ..dsl.words import did_you_mean

_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")


class PromptError(Exception):
    """A template failed; ``line`` is the template's own line when the template lives in a file."""

    def __init__(self, message: str, line: int | None = None, in_template: bool = False):
        super().__init__(message)
        self.message = message
        self.line = line
        self.in_template = in_template  # the template itself is wrong, whatever it is rendered with


class Prompts:
    """Renders prompt templates; rows and table values are data, never re-rendered as templates."""

    def __init__(self, filters: Mapping[str, Callable[..., Any]] | None = None, max_chars: int = PROMPT_CHARS):
        import jinja2  # loaded with the first recipe, not on the no-op path

        self.jinja = jinja2
        self.max_chars = max_chars
        self.env = _bounded_environment(max_chars)
        self.env.filters.update(filters or {})
        self.env.filters = {name: _bounded(f, max_chars) for name, f in self.env.filters.items()}
        self._compiled: dict[str, Any] = {}
        self._names: dict[str, frozenset[str]] = {}

    def names(self, source: str) -> frozenset[str]:
        """The variables a template reads (its undeclared names), once per source text; call after ``render``."""
        found = self._names.get(source)
        if found is None:
            from jinja2 import meta

            found = self._names[source] = frozenset(meta.find_undeclared_variables(self.env.parse(source)))
        return found

    def render(self, source: str, variables: Mapping[str, Any]) -> str:
        if len(source) > self.max_chars:
            raise PromptError(f"the prompt template is {len(source):,} characters, over the limit of "
                              f"{self.max_chars:,}{RAISE_IT}", in_template=True)
        template = self._compiled.get(source)
        if template is None:
            try:
                template = self.env.from_string(source)
            except self.jinja.TemplateSyntaxError as exc:
                raise PromptError(f"template syntax error: {exc.message}", exc.lineno, in_template=True) from None
            self._compiled[source] = template
        try:
            # Template.render copies the globals into a ChainMap per call; one dict is enough (same result).
            context = template.new_context({**self.env.globals, **variables}, shared=True)
            text = self._join(template.root_render_func(context))
        except PromptError:
            raise
        except self.jinja.UndefinedError as exc:
            name = _UNDEFINED.match(exc.message or "")
            hint = did_you_mean(name.group(1), variables) if name else ""
            raise PromptError(f"undefined template variable: {exc.message}{'; ' + hint if hint else ''}",
                              _template_line(template, exc.__traceback__)) from None
        except self.jinja.exceptions.SecurityError as exc:
            raise PromptError(f"template refused by the sandbox: {exc}", _template_line(template, exc.__traceback__)) from None
        except Exception as exc:  # a filter or expression failed on the data
            raise PromptError(f"template failed: {type(exc).__name__}: {exc}",
                              _template_line(template, exc.__traceback__)) from None
        prompt = " ".join(text.split()).strip(" ,")
        if len(prompt) > self.max_chars:
            raise PromptError(f"the rendered prompt is {len(prompt):,} characters, over the limit of "
                              f"{self.max_chars:,}{RAISE_IT}")
        return prompt

    def _join(self, parts: Any) -> str:
        """The rendered pieces joined, stopping once they pass a bound (blank space included) on the way."""
        joined, size, bound = [], 0, 4 * self.max_chars
        for part in parts:
            size += len(part)
            if size > bound:
                raise PromptError(f"the rendered prompt passed {bound:,} characters (limit {self.max_chars:,})"
                                  f"{RAISE_IT}")
            joined.append(part)
        return "".join(joined)


def _bounded_environment(max_chars: int) -> Any:
    """A sandbox whose templates cannot build text or lists far longer than a prompt (``"x" * 10**9``), raise
    numbers to huge powers, or grow text in a loop (no ``namespace``)."""
    import jinja2
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > 1024:
                raise SecurityError(f"the power {right} is too large")
            if operator == "*" and isinstance(left, int) and isinstance(right, (str, list, tuple)):
                left, right = right, left
            if operator == "*" and isinstance(left, (str, list, tuple)) and isinstance(right, int) \
                    and len(left) * right > 4 * max_chars:
                raise SecurityError(f"repeating {len(left):,} items {right:,} times passes the prompt limit")
            return super().call_binop(context, operator, left, right)

    env = Bounded(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.pop("namespace", None)
    return env


def _bounded(function: Callable[..., Any], max_chars: int) -> Callable[..., Any]:
    """A filter whose result may be no longer than a prompt could use (a chain of ``replace`` grows tenfold each)."""
    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if isinstance(result, (str, list)) and len(result) > 4 * max_chars:
            from jinja2.exceptions import SecurityError

            raise SecurityError(f"filter {function.__name__} made {len(result):,} items, past the prompt limit")
        return result
    return bounded


def _template_line(template: Any, trace: TracebackType | None) -> int | None:
    """The template's own line a render error came from: the innermost frame of its compiled code, mapped back."""
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(trace.tb_lineno)
        trace = trace.tb_next
    return line
