"""What a static record or a report may hold, checked with the standard library's HTML parser.

No script, no event handler attribute, no external resource: every tag and attribute
is walked, and whatever is not on the short allow-list fails the check.
"""

from __future__ import annotations

from html.parser import HTMLParser

#: Markup a peer could send: each must come back as text, never as an element.
HOSTILE = (
    '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    '"><svg onload=alert(2)></pre><a href="javascript:alert(3)">x</a> & &amp; <!-- -->'
)

_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "pre", "table",
    "thead", "tbody", "tr", "th", "td", "img", "figure", "figcaption",
}  # fmt: skip
_ATTRIBUTES = {"class", "style", "src", "alt", "title", "lang", "charset", "http-equiv", "content", "colspan"}


class Audit(HTMLParser):
    """The elements, attributes, ``data:`` pictures and text of a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.problems: list[str] = []
        self.pictures: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in _TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name not in _ATTRIBUTES or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "src":
                if not (value or "").startswith(
                    ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")
                ):
                    self.problems.append(f"src {str(value)[:40]!r}")
                self.pictures.append(value or "")
            if name == "style" and value and ("url(" in value or "@import" in value):
                self.problems.append(f"external resource in style {value[:60]!r}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append("a comment")

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def audit(html: str) -> Audit:
    """Parse ``html``; fails the test on any element or attribute off the allow-list."""
    found = Audit(html)
    assert not found.problems, found.problems
    return found
