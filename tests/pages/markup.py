"""Reading pages as a browser would: what htmx swaps in, and what a button would post."""

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


class _RemoveForms(HTMLParser):
    """Each form with a "danger" submit button: its action and the fields that button posts."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.current: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = (attrs.get("action") or "", {})
        elif self.current and tag == "input" and attrs.get("type") == "hidden":
            if attrs.get("name") != "csrfmiddlewaretoken":
                self.current[1][attrs["name"]] = attrs.get("value", "")
        elif self.current and tag == "button" and "danger" in (attrs.get("class") or ""):
            action, fields = self.current
            pressed = {attrs["name"]: attrs.get("value", "")} if attrs.get("name") else {}
            self.forms.append((action, {**fields, **pressed}))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def remove_forms(html: str) -> list[tuple[str, dict]]:
    """(action, posted fields) of every destructive button on the page."""
    parser = _RemoveForms()
    parser.feed(html)
    return parser.forms
