"""Prompt templates: Jinja2 in a sandbox with StrictUndefined, compiled once per source text."""
from __future__ import annotations

import re
from types import TracebackType
from typing import Any, Callable, Mapping

from ..dsl.words import did_you_mean

_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")


class PromptError(Exception):
    """A template failed; ``line`` is the template's own line when the template lives in a file."""

    def __init__(self, message: str, line: int | None = None, syntax: bool = False):
        super().__init__(message)
        self.message = message
        self.line = line
        self.syntax = syntax  # the template itself is wrong, whatever it is rendered with


class Prompts:
    """Renders prompt templates; rows and table values are data, never re-rendered as templates."""

    def __init__(self, filters: Mapping[str, Callable[..., Any]] | None = None):
        import jinja2  # loaded with the first recipe, not on the no-op path
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.jinja = jinja2
        self.env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                                 keep_trailing_newline=False)
        self.env.filters.update(filters or {})
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
        template = self._compiled.get(source)
        if template is None:
            try:
                template = self.env.from_string(source)
            except self.jinja.TemplateSyntaxError as exc:
                raise PromptError(f"template syntax error: {exc.message}", exc.lineno, syntax=True) from None
            self._compiled[source] = template
        try:
            # Template.render copies the globals into a ChainMap per call; one dict is enough (same result).
            context = template.new_context({**self.env.globals, **variables}, shared=True)
            text = self.env.concat(template.root_render_func(context))
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
        return " ".join(text.split()).strip(" ,")


def _template_line(template: Any, trace: TracebackType | None) -> int | None:
    """The template's own line a render error came from: the innermost frame of its compiled code, mapped back."""
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(trace.tb_lineno)
        trace = trace.tb_next
    return line
