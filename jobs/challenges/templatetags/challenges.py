from django import template

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Cents as euros, Dutch style: € 1.234,50."""
    if cents in (None, ""):
        return "–"
    whole, rest = divmod(abs(int(cents)), 100)
    text = f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"
    return f"-{text}" if int(cents) < 0 else text
