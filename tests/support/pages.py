"""Pages the tests serve and save: one article page builder, the texts it is filled with
(a tram story in four languages, with clutter to remove; a lighthouse story as a news site's
CMS writes it), real PNG images, and the hostile page in tests/data."""
from __future__ import annotations

import struct
import zlib

from support.paths import DATA

UTF8_META = '<meta charset="utf-8">'
TRAM_TITLE = "Tram line to the harbour"


def article_page(paragraphs: list[str], clutter: str = "", head: str = UTF8_META, title: str = TRAM_TITLE,
                 lang: str = "en", *, site: str | None = None, published: str | None = None,
                 image: str | None = None, byline: str | None = None, middle: str = "", after: str = "") -> str:
    """An article page: <h1>, the paragraphs and then `clutter` in <main><article>, between a
    nav and a footer, with a script in the head. As a CMS writes it, the head also carries
    og: metadata (`site` also ends the <title>, `published`, `image`), and the story a
    `byline`, `middle` after its second paragraph and `after` after its last."""
    meta = []
    if site:
        meta.append(f'<meta property="og:title" content="{title}"><meta property="og:site_name" content="{site}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if image:
        meta.append(f'<meta property="og:image" content="{image}">')
    blocks = [f"<p>{p}</p>" for p in paragraphs]
    if middle:
        blocks.insert(2, middle)
    if after:
        blocks.append(after)
    if byline:
        blocks.insert(0, f'<p class="byline">By <span class="author-name">{byline}</span></p>')
    paras = "\n".join(blocks)
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n{head}\n"
            f"<title>{title}{f' | {site}' if site else ''}</title>\n{''.join(m + chr(10) for m in meta)}"
            f"<script>window.answer = 1 < 2 && 3 > 2;</script>\n</head>\n<body>\n"
            f"<header><nav><a href=\"/\">Home</a> <a href=\"/news/\">News</a></nav></header>\n"
            f"<main><article>\n<h1>{title}</h1>\n{paras}\n{clutter}</article></main>\n"
            f"<footer><p>All rights reserved.</p></footer>\n</body>\n</html>\n")


# --- the tram story, with clutter the built-in packs remove ------------------------------

ARTICLE_EN = [
    "The city council voted on Tuesday to extend the tram line to the harbour, a project first proposed in 1998.",
    "Construction is expected to begin next spring and to take about three years, according to the transport office.",
    "Residents of the harbour district have asked for a tram for decades, and many came to the meeting to watch the vote.",
    "The cost of the extension is estimated at 240 million, of which the regional government will pay about half.",
    "Opponents argued that the money would be better spent on buses, which can serve more streets for the same price.",
    "The first trams on the new line could run in the summer of 2028 if the works go according to plan.",
]
CLUTTER_EN = ('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
              '<ul><li><a href="https://www.facebook.com/sharer.php">Share on Facebook</a></li></ul></div>\n'
              '<p class="share-cta">Like this story? Share it with a friend!</p>\n')
GONE_EN = ["Share this:", "Share on Facebook", "Like this story? Share it with a friend!"]

ARTICLE_RU = [
    "Городской совет во вторник проголосовал за продление трамвайной линии до порта, впервые предложенное в 1998 году.",
    "Строительство начнётся следующей весной и займёт около трёх лет, сообщили в транспортном управлении.",
    "Жители портового района десятилетиями просили провести трамвай, и многие пришли посмотреть на голосование.",
    "Стоимость продления оценивается в 240 миллионов, около половины заплатит региональное правительство.",
    "Противники считают, что деньги лучше потратить на автобусы, которые обслуживают больше улиц за ту же цену.",
    "Первые трамваи по новой линии могут пойти летом 2028 года, если работы пойдут по плану — «без задержек».",
]
CLUTTER_RU = '<div class="sharedaddy"><h3>Поделиться:</h3></div>\n<p>Поделиться в соцсетях</p>\n'
GONE_RU = ["Поделиться"]

ARTICLE_JA = [
    "市議会は火曜日、港までの路面電車の延伸を可決した。この計画は一九九八年に初めて提案されたものだ。",
    "工事は来年の春に始まり、約三年かかる見込みだと交通局は説明している。",
    "港地区の住民は何十年も路面電車を求めてきた。多くの人が採決を見るために議会を訪れた。",
    "延伸の費用は約二億四千万と見積もられ、その半分を地方政府が負担する。",
    "反対派は、同じ費用でより多くの通りを走れるバスに使うべきだと主張した。",
    "計画通りに進めば、新線の最初の電車は二〇二八年の夏に走る可能性がある。",
]
CLUTTER_JA = '<div class="sharedaddy"><h3>シェア</h3></div>\n<p>この記事をシェアする</p>\n'
GONE_JA = ["シェア"]

ARTICLE_FR = [
    "Le conseil municipal a voté mardi le prolongement du tramway jusqu'au port, un projet proposé dès 1998.",
    "Les travaux débuteront au printemps prochain et dureront environ trois ans, selon l'office des transports.",
    "Les habitants du quartier du port réclament un tramway depuis des décennies ; beaucoup sont venus à la séance.",
    "Le coût est estimé à 240 millions d'euros, dont la région paiera à peu près la moitié : « c'est énorme ».",
    "Les opposants jugent que l'argent serait mieux dépensé pour des bus, qui desservent davantage de rues.",
    "Les premières rames pourraient circuler à l'été 2028 si le chantier se déroule comme prévu. Voilà, ça y est.",
]
CLUTTER_FR = ('<div class="sharedaddy"><h3>Partager :</h3></div>\n'
              '<p>Partager cet article :</p>\n')
GONE_FR = ["Partager"]

PLAIN_EN = article_page(ARTICLE_EN)  # nothing to remove
CLUTTERED_EN = article_page(ARTICLE_EN, CLUTTER_EN)


def big_page(size: int, clutter: str = CLUTTER_EN) -> bytes:
    """A cluttered page of about `size` bytes: many paragraphs, clutter between them."""
    block = "".join(f"<p>{p}</p>\n" for p in ARTICLE_EN) + clutter
    head = article_page([]).split("<main>")[0]
    body = []
    n = 0
    while n < size:
        body.append(block)
        n += len(block)
    return (head + "<main><article><h1>A very long page</h1>\n" + "".join(body)
            + "</article></main></body></html>\n").encode()


# --- the lighthouse story, as Harbour News' CMS writes it (the library's tests) ----------

LIGHTHOUSE_TITLE = "Keeper of the northern light asks for a new lamp"
LIGHTHOUSE_PARAGRAPHS = [
    "The harbour council met on a grey Tuesday to talk about lighthouses, and the keeper of the northern light "
    "explained at length how the lamp is cleaned, wound and watched through the long winter nights.",
    "Several councillors asked whether the old lens could be kept, since it was ground by hand in 1898 and still "
    "throws its beam further than any modern replacement the committee has been offered so far.",
    "The treasurer said the repairs would cost less than expected, because volunteers from the rowing club had "
    "offered to repaint the tower and carry the new glass up the spiral stairs themselves this spring.",
    "A decision on the foghorn was postponed until the autumn, when the engineers will have measured how far its "
    "sound carries across the bay on calm days and on days when the wind blows from the west.",
]
# What article_page needs to write a page as Harbour News does: dated, signed, a heading
# with a list in the middle and a link at the end (pass `image` for its og:image).
HARBOUR_NEWS = {
    "site": "Harbour News",
    "published": "2024-03-05T09:00:00Z",
    "byline": "Mara Quill",
    "middle": ('<h2>What the keeper asked for</h2><ul><li>A new brass handle for the lamp room door</li>'
               '<li>Two spare wicks, kept dry in the oil store</li><li>A working telephone in the tower</li></ul>'),
    "after": ('<p>The minutes are on the <a href="https://council.example/minutes/2024-03">council’s website</a> '
              "and in the public library.</p>"),
}
COVER_PATH = "/img/cover.png"
SECRET_PATH = "/img/secret.png"


def png(width: int = 3, height: int = 2, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A real PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


COVER_PNG = png(4, 3, (30, 90, 160))
SECRET_PNG = png(1, 1, (0, 0, 0))


# --- a hostile page (tests/data/hostile-article.html) ------------------------------------

HOSTILE_PAGE = DATA / "hostile-article.html"
HOSTILE_URL = "https://gazette.example/news/2024/03/05/ferry-timetable/"
