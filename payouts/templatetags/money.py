from django import template

from ..documents import euros as _euros

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Integer cents as Dutch euros: 123456 → "€ 1.234,56"."""
    try:
        return _euros(int(cents))
    except (TypeError, ValueError):
        return ""
