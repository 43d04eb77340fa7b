"""One Jinja2 environment over templates/, with StrictUndefined so a missing variable fails loudly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


def templates_dir() -> Path:
    """templates/ beside the package in a checkout; bot/templates inside an installed wheel."""
    installed = Path(__file__).parent / "templates"
    return (
        installed if installed.is_dir() else Path(__file__).parent.parent / "templates"
    )


@dataclass(frozen=True)
class Rendered:
    """An email's three rendered parts."""

    subject: str
    text: str
    html: str


class Renderer:
    """Renders email (subject, text, HTML with inlined CSS) and web templates."""

    def __init__(
        self, folder: Path | None = None, *, globals: dict[str, Any] | None = None
    ) -> None:
        self.env = Environment(
            loader=FileSystemLoader(folder or templates_dir()),
            undefined=StrictUndefined,
            autoescape=select_autoescape(
                enabled_extensions=("html", "html.j2"), default_for_string=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(globals or {})
        # Many mail clients drop <style> blocks, so styles are inlined into every element.
        self._inliner = css_inline.CSSInliner(
            keep_style_tags=True, load_remote_stylesheets=False
        )

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)

    def render_email(self, name: str, context: dict[str, Any]) -> Rendered:
        """Render templates/email/<name>.{subject,txt,html}.j2."""
        subject = self.render(f"email/{name}.subject.j2", context).strip()
        text = self.render(f"email/{name}.txt.j2", context)
        html = self._inliner.inline(self.render(f"email/{name}.html.j2", context))
        return Rendered(subject=subject, text=text, html=html)
