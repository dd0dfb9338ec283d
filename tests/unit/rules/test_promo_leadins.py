"""Inline promos' lead-ins with the built-in packs: the mark after the lead-in may be a full
stop ("Lire aussi."), and Thai's "related stories" leads a box of links."""
from __future__ import annotations

import pytest

from proxy.engine import clean_page
from support.pagetext import visible_text

ARTICLE = {
    "fr": "<p>Le conseil municipal a voté mardi soir la rénovation complète du pont, fermé depuis l'hiver dernier "
          "à la circulation.</p>",
    "th": "<p>สภาเมืองลงมติเมื่อคืนวันอังคารให้ซ่อมแซมสะพานทั้งหมด ซึ่งปิดการจราจรมาตั้งแต่ฤดูหนาวที่แล้ว "
          "และจะเปิดใหม่ในฤดูใบไม้ผลิหน้า</p>",
}


def clean(lang: str, promo: str) -> str:
    body = ARTICLE[lang] * 4
    html = (f"<!doctype html><html lang={lang}><head><title>t</title></head><body><article>{body[:len(body) // 2]}"
            f"{promo}{body[len(body) // 2:]}</article></body></html>")
    result = clean_page(html, "https://www.journal-exemple.fr/ville/pont/")
    return visible_text(result.output_bytes(html.encode()) or html.encode())


@pytest.mark.parametrize("lead", ["Lire aussi.", "À lire aussi :"])
def test_a_french_lead_in_ending_in_a_full_stop_takes_its_link(lead):
    text = clean("fr", f'<p><strong>{lead}</strong>&nbsp;<a href="/monde/gaza/temoignages/">TÉMOIGNAGES. « C’est '
                       f'le chaos » : à Gaza, les hôpitaux au bord de l’effondrement</a></p>')
    assert "les hôpitaux au bord" not in text and "Lire aussi" not in text
    assert text.count("Le conseil municipal") == 4


def test_a_thai_related_stories_box_goes():
    text = clean("th", '<p><strong>เรื่องที่เกี่ยวข้อง</strong><br><a href="/journal/2018/12/80211">ลืออุ้ม อ.สุรชัย '
                       'ผู้ลี้ภัยหายจากที่พัก 12 วันแล้ว</a><br><a href="/journal/2018/12/80328">ตร.เร่งหาเบาะแสคดี'
                       'ฆ่ายัดเสาถ่วงน้ำโขง</a></p>')
    assert "เรื่องที่เกี่ยวข้อง" not in text and "ลืออุ้ม" not in text
    assert text.count("สภาเมืองลงมติ") == 4
