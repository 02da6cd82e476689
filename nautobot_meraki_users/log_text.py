"""Text from a user or the Dashboard, made safe for a job log message (Nautobot renders those as Markdown)."""

from __future__ import annotations

# HTML's specials become entities; Markdown's link, image, code and emphasis marks get a backslash.
# The backslash comes first so that an escape already in the text shows literally too.
_ESCAPES = (
    ("\\", "\\\\"),
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("`", "\\`"),
    ("*", "\\*"),
    ("_", "\\_"),
    ("[", "\\["),
    ("]", "\\]"),
    ("\r", " "),
    ("\n", " "),
)


def log_safe(text: object) -> str:
    r"""`text` as it must go into a job log message so that Nautobot's Markdown shows it literally.

    Escapes HTML (`&`, `<`, `>`) and Markdown's link and image brackets, backticks, `*` and `_`, and
    turns line breaks into spaces (a name cannot start a new paragraph or fake another log line).

    Example:
        >>> print(log_safe("<img src=x> ![a](y) [b](z) `c` *d* _e_ & \\"))
        &lt;img src=x&gt; !\[a\](y) \[b\](z) \`c\` \*d\* \_e\_ &amp; \\
        >>> log_safe("Acme\nCorp")
        'Acme Corp'
    """
    text = str(text)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text
