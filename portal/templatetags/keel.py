"""Template helpers for the portal pages: safe markdown, and small display filters."""

import markdown as markdown_lib
import nh3
from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# What people write in descriptions: text formatting, lists, links, code and tables.
# No images (they would fetch from anywhere), no forms, no style, no script: nh3 (ammonia)
# removes every other tag and attribute, event handlers and javascript: URLs included.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to put in a page, whatever the author wrote."""
    html = markdown_lib.markdown(
        text or "", extensions=["fenced_code", "tables", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text: str):
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def percent(value, total):
    """``value`` as a whole percentage of ``total`` (capped at 100), for bars and meters."""
    try:
        return min(100, round(100 * int(value) / int(total)))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str):
    """A sortable column header: a link that orders by ``key`` (ascending first, then
    descending), keeping the filters and going back to the first page."""
    current = context.get("sort", "")
    params = context["request"].GET.copy()
    for stale in ("page", "sort"):
        params.pop(stale, None)
    params["ordering"] = f"-{key}" if current == key else key
    state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    arrow = {"ascending": " ▲", "descending": " ▼", "none": ""}[state]
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="?{}">{}<span aria-hidden="true">{}</span></a></th>',
        state,
        params.urlencode(),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str):
    """A main-navigation link, marked as the current section when the page is inside it."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:  # an optional section (self-service) that is not installed
        return ""
    request = context.get("request")
    path = request.path if request else ""
    current = path == url if url == "/" else path.startswith(url)
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', url, label)
    return format_html('<a href="{}">{}</a>', url, label)
