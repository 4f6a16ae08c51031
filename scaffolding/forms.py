"""The "create a service" form, generated from the template's JSON Schema.

The form only shapes the input (widgets, HTML hints such as ``min`` and ``maxlength``, and
turning digits into numbers); the rules are checked once, by the same schema, on the server
in ``actions.request_scaffold``, whose field errors the view puts back on these fields.
"""

from django import forms

from .registry import ServiceTemplate


def _field(name: str, prop: dict, required: bool, labels: dict) -> forms.Field:
    common = {
        "label": prop.get("title", name),
        "help_text": prop.get("description", ""),
        "required": required,
        "initial": prop.get("default"),
    }
    if "enum" in prop:
        shown = labels.get(prop.get("x-keel-choices"), {})
        choices = [(v, shown.get(v, v) or "—") for v in prop["enum"]]
        return forms.CharField(widget=forms.Select(choices=choices), **common)
    if prop.get("type") == "integer":
        hints = {k: prop[s] for k, s in (("min", "minimum"), ("max", "maximum")) if s in prop}
        return forms.IntegerField(widget=forms.NumberInput(attrs=hints), **common)
    attrs = {"maxlength": prop["maxLength"]} if "maxLength" in prop else {}
    if "pattern" in prop:
        attrs["pattern"] = prop["pattern"].removeprefix("^").removesuffix("$")
    if prop.get("maxLength", 0) > 500:
        widget = forms.Textarea(attrs={"rows": 3, **attrs})
    else:
        widget = forms.TextInput(attrs=attrs)
    # A value with a pattern is an identifier (the slug, a queue name): kept exactly as typed,
    # so "abc\n" is refused here as it is over REST and GraphQL, never quietly trimmed.
    return forms.CharField(widget=widget, strip="pattern" not in prop, **common)


class ScaffoldForm(forms.Form):
    """``labels`` names the values of ``x-keel-choices`` fields for people ({"teams": {slug:
    name}}): the schema, which REST clients read too, lists the slugs."""

    def __init__(self, *args, template: ServiceTemplate, schema: dict, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            self.fields[name] = _field(name, prop, name in required, labels or {})

    def parameters(self) -> dict:
        """The submitted values that could be read, without empty optional ones (the
        schema's defaults apply to those)."""
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}

    def add_schema_errors(self, error) -> None:
        """Put the server's field errors on the fields (once per field)."""
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, messages)
