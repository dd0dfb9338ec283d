"""Pages with pictures, as CMSs write them, for the reader's, the library's and the
browser's tests of issue #15: three captioned figures; lazy-loaded pictures; clutter
pictures (a tracking pixel, an icon sprite, a logo, a sidebar teaser)."""
from __future__ import annotations

from support.pages import png

TITLE = "Divers map the old harbour wall"
PARAGRAPHS = [
    "Volunteer divers spent three weekends mapping the old harbour wall, which has stood under the water "
    "since the storm of 1953 moved the shoreline some forty metres inland.",
    "The team measured every block they could reach and photographed the carved stones that mark where the "
    "first quay ended, so that the museum can rebuild the wall in a model for its new gallery.",
    "Most of the blocks are still where the masons set them, the divers said, although the storm rolled a "
    "few of the largest ones into the channel that the ferries use every morning and evening.",
    "The harbour master has asked the divers to come back in the summer, when the water is clearer, to look "
    "at the wooden piles that once held the fish market above the tide line.",
]
# Three figures: a plain one, a lazy one (data-src over a placeholder), a <picture>.
FIGURES = [
    ("/img/wall.png", "The wall at low tide", "The old wall at low tide, seen from the ferry steps."),
    ("/img/diver.png", "A diver measuring a block", "A diver measures one of the carved blocks."),
    ("/img/quay.png", "A drawing of the first quay", "The first quay as the museum's drawing shows it."),
]
PNGS = {path: png(8 + 4 * i, 6 + 2 * i, (40 * i + 30, 120, 200 - 40 * i)) for i, (path, _a, _c) in enumerate(FIGURES)}


def _figure(i: int) -> str:
    path, alt, caption = FIGURES[i]
    if i == 1:
        img = f'<img src="/img/placeholder.gif" data-src="{path}" alt="{alt}" class="lazyload">'
    elif i == 2:
        img = (f'<picture><source type="image/webp" srcset="{path}.webp"><source srcset="{path} 1x">'
               f'<img src="{path}" alt="{alt}"></picture>')
    else:
        img = f'<img src="{path}" alt="{alt}" width="800" height="600">'
    return f"<figure>{img}<figcaption>{caption}</figcaption></figure>"


def figures_page(base: str = "") -> str:
    """The story with a figure after each of its first three paragraphs, between a page
    header (a logo) and a sidebar (a teaser), with a pixel and a sprite in the article."""
    blocks = []
    for i, text in enumerate(PARAGRAPHS):
        blocks.append(f"<p>{text}</p>")
        if i < 3:
            blocks.append(_figure(i))
    body = "\n".join(blocks)
    base_tag = f'<base href="{base}">' if base else ""
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{base_tag}<title>{TITLE}</title>"
            f'<meta property="og:title" content="{TITLE}"><meta property="og:image" content="/img/social-card.png">'
            f'</head><body><header class="site-header"><a href="/" class="logo"><img src="/img/site-logo.png" alt="Harbour News">'
            f'</a><nav><a href="/news/">News</a></nav></header>'
            f"<main><article><h1>{TITLE}</h1>"
            f'<p class="share"><img class="icon icon-share" src="/img/sprites.png" alt="">Share</p>\n{body}\n'
            f'<img src="https://track.example/p.gif?id=7" width="1" height="1" alt="">'
            f"</article><aside><h2>More from the harbour</h2><a href=\"/news/ferries\">"
            f'<img src="/img/ferry-teaser.png" alt="">Ferries run late again</a></aside></main>'
            f"<footer><p>All rights reserved.</p></footer></body></html>")


# Lazy-loading as the common scripts write it: the URL in data-src (a grey GIF in src), in a
# srcset only, and in a <noscript> after the script's placeholder.
LAZY_PICTURES = [
    ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/lazy-a.jpg" alt="First">', "/img/lazy-a.jpg"),
    ('<img srcset="/img/lazy-b-600.jpg 600w, /img/lazy-b-1200.jpg 1200w, /img/lazy-b-2400.jpg 2400w" alt="Second">',
     "/img/lazy-b-1200.jpg"),
    ('<div class="media"><img class="js-lazy" src="/img/grey.gif" alt="">'
     '<noscript><img src="/img/lazy-c.jpg" alt="Third"></noscript></div>', "/img/lazy-c.jpg"),
    ('<img data-srcset="/img/lazy-d-1x.jpg 1x, /img/lazy-d-2x.jpg 2x" src="/img/blank.gif" alt="Fourth">',
     "/img/lazy-d-2x.jpg"),
]


def lazy_page() -> str:
    """The story with a lazy-loaded picture after each paragraph."""
    blocks = []
    for i, text in enumerate(PARAGRAPHS):
        blocks.append(f"<p>{text}</p>\n{LAZY_PICTURES[i][0]}")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
            f"<main><article><h1>{TITLE}</h1>\n{''.join(blocks)}</article></main></body></html>")
