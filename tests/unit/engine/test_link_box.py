"""`link_box`: a lead-in ("Zie ook:", "Related:") widened to what it introduces — the link
it stands in, or the box of links it heads — and no further."""
from __future__ import annotations

from proxy.engine import clean_page

PROSE = "".join(f"<p>Alinea {n} van het artikel vertelt wat er die nacht in de haven van de stad gebeurde.</p>"
                for n in range(6))


def page(body: str) -> str:
    return f'<!doctype html><html lang="nl"><head><title>t</title></head><body><main><article>{PROSE}{body}' \
           "</article></main></body></html>"


def test_a_lead_in_inside_a_link_takes_the_link_with_it():
    card = ('<div class="block articlelink"><a href="/sport/123/vijf-vragen"><span>Zie ook:</span> '
            '<span>Vijf vragen over de Grand Prix van Rusland</span></a></div>')
    result = clean_page(page(card), "https://www.nu.example/sport/456/verslag")
    assert "Vijf vragen" not in result.html and "Zie ook" not in result.html
    assert result.html.count("Alinea") == 6


def test_a_lead_in_in_a_menu_is_the_menus_entry_and_the_menu_stays():
    # A menu is navigation, not a promo: neither its entry nor its list goes, whether it is
    # a <nav> or a list with a menu's class.
    entries = "".join(f'<li><a href="/{w}/">{w}</a></li>' for w in ("Sport", "Economie", "Cultuur", "Wetenschap"))
    entry = '<li><a href="/meer/"><span>Lees ook:</span> <span>het laatste nieuws</span></a></li>'
    for menu in (f'<ul class="menu">{entries}{entry}</ul>', f'<nav><ul>{entries}{entry}</ul></nav>'):
        result = clean_page(page(menu), "https://www.nu.example/sport/456/verslag")
        assert "het laatste nieuws" in result.html and "Wetenschap" in result.html and not result.removed
