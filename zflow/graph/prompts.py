"""Prompt templates: Jinja2 in a sandbox with StrictUndefined, compiled once per source text."""
from __future__ import annotations

from typing import Any, Callable, Mapping



class PromptError(Exception):
    """A template failed; ``line`` is the template's own line when the template lives in a file."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


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

    def render(self, source: str, variables: Mapping[str, Any]) -> str:
        template = self._compiled.get(source)
        if template is None:
            try:
                template = self.env.from_string(source)
            except self.jinja.TemplateSyntaxError as exc:
                raise PromptError(f"template syntax error: {exc.message}", exc.lineno) from None
            self._compiled[source] = template
        try:
            # Template.render copies the globals into a ChainMap per call; one dict is enough (same result).
            context = template.new_context({**self.env.globals, **variables}, shared=True)
            text = self.env.concat(template.root_render_func(context))
        except self.jinja.UndefinedError as exc:
            raise PromptError(f"undefined template variable: {exc.message}") from None
        except self.jinja.exceptions.SecurityError as exc:
            raise PromptError(f"template refused by the sandbox: {exc}") from None
        except Exception as exc:  # a filter or expression failed on the data
            raise PromptError(f"template failed: {type(exc).__name__}: {exc}") from None
        return " ".join(text.split()).strip(" ,")
