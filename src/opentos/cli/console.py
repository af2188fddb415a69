"""The consoles every command prints through: user data is shown as it is, never interpreted.

Container numbers, places, file names and the values quoted in error messages
come from users. Printed through a console with rich markup on, a value such as
``[/]`` or ``[bold]`` would be read as a style tag (and ``[/]`` crashes with a
``MarkupError``); an ANSI escape in a file would reach the terminal and recolour
or move its cursor. So the command line's consoles have markup, emoji codes and
highlighting off, and every string they print has its control characters
escaped (``\\x1b`` for ESC): what a user sees is the literal text. Styled output
is built with :func:`styled`, whose parts are escaped the same way.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

# C0 controls except tab and newline (our own multi-line messages), DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_one(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def shown(text: str) -> str:
    r"""``text`` with its control characters written as escapes (``'\x1b[31m'`` -> ``\x1b[31m``).

    Tabs and newlines are kept.
    """
    return _CONTROL.sub(_escape_one, text)


def json_shown(text: str) -> str:
    """JSON text with DEL and the C1 controls written as ``\\u`` escapes too.

    :func:`json.dumps` escapes the C0 controls (ESC is ``\\u001b``) but, with
    ``ensure_ascii=False``, leaves U+007F-U+009F as they are; some terminals act on
    them (U+009B starts a control sequence). The escaped text is the same JSON.
    """
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeConsole(Console):
    """A rich console that shows every string literally: no markup, control characters escaped.

    Text is not word-wrapped (``soft_wrap``): an error message stays one line that
    logs and ``grep`` can follow; tables still fit the width.
    """

    def __init__(self, *, stderr: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        super().__init__(stderr=stderr, markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """As :meth:`Console.render_str`, markup off, control characters escaped."""
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(shown(text), **kwargs)


def styled(*parts: str | tuple[str, str | Style]) -> Text:
    """Text from plain parts and ``(text, style)`` pairs, each escaped like any printed string."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(shown(part[0]), style=part[1])
        else:
            text.append(shown(part))
    return text


console = SafeConsole()
"""Standard output of the ``opentos`` command."""

err_console = SafeConsole(stderr=True)
"""Standard error: errors, warnings and progress."""
