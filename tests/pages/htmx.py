"""What htmx puts on the page after a request: the parts of a response it swaps in."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Regions(HTMLParser):
    """Collects the filter form's hx-select/hx-select-oob ids and the text inside each."""

    def __init__(self):
        super().__init__()
        self.selects: list[str] = []
        self.stack: list[str | None] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("hx-select"):
            for name in ("hx-select", "hx-select-oob"):
                self.selects += [s.strip().lstrip("#") for s in (attrs.get(name) or "").split(",")]
        if tag not in VOID:
            self.stack.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for element_id in self.stack:
            if element_id:
                self.text.setdefault(element_id, []).append(data)


def swapped_text(html: str) -> str:
    """The text of every element the filter form swaps in from this response."""
    parser = _Regions()
    parser.feed(html)
    return " ".join(
        " ".join("".join(parser.text.get(element_id, [])).split())
        for element_id in parser.selects
        if element_id
    )
