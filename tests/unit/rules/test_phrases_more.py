"""Share and comment prompts of the built-in packs: the prompt goes, a like sentence stays."""
from __future__ import annotations

import pytest

from proxy.engine import clean_page
from support.pagetext import visible_text

PROSE = ("The council met on Tuesday to discuss the budget for the coming year, and its members "
         "agreed on most points after a long debate about roads, schools and the harbour. ")


def page(lang: str, kept: str, clutter: str) -> str:
    body = "".join(f"<p>{PROSE * 2}</p>" for _ in range(3))
    return (f'<html lang="{lang}"><head><title>t</title></head><body><article><h1>Budget</h1>'
            f"{body}{kept}<p>{PROSE * 2}</p></article>{clutter}</body></html>")


# (lang, clutter markup, its text that must go, article markup, its text that must stay)
SHARE = [
    ("en", '<div class="metabar"><ul class="list"><li><a href="#">Share by email</a></li><li><a href="#">Follow by '
           'email</a></li></ul></div>', "Share by email",
     "<p>Investors can share by email their questions to the board, the filing said.</p>", "the filing said"),
    ("en", '<div class="share-buttons"><span>Tweet</span></div>', "Tweet",
     "<p>The minister did not tweet about the vote, aides said.</p>", "aides said"),
    ("en", "<p>Found the story interesting? Like us on Facebook to see similar stories</p>", "Like us on Facebook",
     "<p>Like us on Facebook, the council now posts its minutes online every week.</p>", "posts its minutes"),
    ("de", '<footer><div><a href="https://www.facebook.com/carta.info/">CARTA auf Facebook</a></div>'
           '<div><a href="https://example.org/about">Impressum</a></div></footer>', "CARTA auf Facebook",
     '<p>Am Abend schrieb <a href="https://twitter.com/olafscholz">Scholz auf Twitter</a>, er sei zufrieden.</p>',
     "Scholz auf Twitter"),
    ("en", '<div class="block social"><h2>Follow The Nation</h2><a href="/rss">RSS</a>'
           '<p>Sign up for our free daily newsletter, along with occasional offers.</p></div>', "Follow The Nation",
     "<h2>Follow the money</h2>", "Follow the money"),
    ("en", "<p>On Twitter: Follow Wendy Koch and get more energy coverage at NatGeoEnergy.</p>",
     "On Twitter: Follow Wendy Koch",
     "<p>On Twitter, follow-up questions from readers piled up for a week.</p>", "follow-up questions"),
    ("en", "<p><strong>Be sure to tell your friends and family – share this post with them!</strong></p>",
     "share this post with them!",
     "<p>She said readers would share the post with friends and family over the weekend.</p>",
     "share the post with friends and family over the weekend"),
    ("en", '<div><button>Email link</button><a href="/licensing">Licensing</a></div>', "Email link",
     "<p>An email link in the council's newsletter took residents to the budget survey.</p>",
     "An email link in the council's newsletter"),
    ("fr", '<div class="panel"><div class="head">Partager cet article <span>X</span></div></div>',
     "Partager cet article",
     "<p>Partager cet article avec ses élèves était le but de l'enseignante.</p>", "Partager cet article avec"),
    ("sv", '<div><h2>Följ ämnen i artikeln</h2><a href="/t/polisen">Polisen</a></div>', "Följ ämnen i artikeln",
     "<p>Följ ämnen i artikeln var inte det enda som redaktionen testade i våras.</p>", "redaktionen testade"),
    ("da", '<div class="popup"><p>Giv artiklen via:</p><a href="/l">Link</a></div>', "Giv artiklen via:",
     "<p>Giv artiklen videre til dem, der har brug for den, sagde borgmesteren på mødet.</p>",
     "sagde borgmesteren på mødet"),
    ("pl", '<div><div>WP Wiadomości na: <a href="https://www.instagram.com/wp">Instagramie</a></div>'
           "<button>👍Lubię to!</button></div>", "WP Wiadomości na: Instagramie",
     "<p>Prezydent na Instagramie opublikował zdjęcie z wizyty w Krakowie.</p>", "opublikował zdjęcie"),
    ("ru", '<div class="box"><span>АиФ в социальных сетях</span></div>', "АиФ в социальных сетях",
     "<p>Мэр в социальных сетях рассказал о новых маршрутах автобусов и трамваев.</p>", "новых маршрутах"),
    ("es", '<footer><p class="icons-title">Vivimos en redes</p></footer>', "Vivimos en redes",
     "<p>Vivimos en redes de apoyo que sostienen a las familias del barrio.</p>", "redes de apoyo"),
    ("zh", '<div class="wx-info"><p>更多猛料！欢迎扫描左方二维码关注新浪新闻官方微信（xinlang-xinwen）</p></div>',
     "欢迎扫描左方二维码关注",
     "<p>市民可扫描车站的二维码查询公交线路，关注出行信息的人越来越多，交通部门表示将继续推广。</p>",
     "交通部门表示将继续推广"),
    ("zh", "<p><strong>上報Telegram，新聞不漏接！</strong></p>", "新聞不漏接",
     "<p>他說，加入新聞群組以後，重要的消息都不漏接，市府也會持續更新。</p>", "市府也會持續更新"),
    ("zh", '<div class="fbwrap"><div>按個讚\u3000心情好</div></div>', "心情好",
     "<p>天氣晴朗，大家的心情好，公園裡到處都是散步的人。</p>", "公園裡到處都是散步的人"),
    ("ja", "<div><p>Example Newsの新着情報をチェックしませんか？ Twitterで ： @example</p></div>", "新着情報をチェックしませんか",
     "<p>多くの利用者は毎朝、新着情報をチェックしてから仕事を始めるという。</p>", "仕事を始めるという"),
]

COMMENT = [
    ("en", '<div class="counter">11<span class="Hidden">Comments. Click to view comments</span></div>',
     "Click to view comments", "<p>Click to view comments was the button nobody pressed, the study found.</p>",
     "the study found"),
    ("en", "<div><p>You must be logged in to report a comment.</p> <a href='/signin'>Sign in here</a></div>",
     "You must be logged in to report a comment", "<p>You must be logged in to vote, the council said.</p>",
     "the council said"),
    ("en", '<div class="comment"><p>Great piece.</p><p class="comment-util"><a href="#r">Reply</a></p></div>', "Reply",
     "<p>Reply came there none by Friday, the union said.</p>", "the union said"),
    ("en", '<ul><li><a href="#site_comments">Comment</a></li></ul>', "Comment",
     '<p>The mayor declined to <a href="/comment">comment</a> on the plan.</p>', "declined to comment"),
    ("en", "<div><label>Your comment contains a link, so it can't be published on our site</label></div>",
     "Your comment contains a link",
     "<p>Your comment contains a lot of truth, the mayor told a resident at the meeting.</p>",
     "the mayor told a resident"),
    ("en", '<div class="scoop">Do you know the scoop? <a href="#c">Comment below</a> or <a href="/tips">Send us a Tip</a></div>',
     "Comment below or Send us a Tip",
     "<p>Do you know the scoop about the harbour? The council does not, it said.</p>", "The council does not"),
    ("de", "<h2>So können Sie kommentieren:</h2><p>Haben Sie Probleme beim Kommentieren oder Registrieren?</p>",
     "Probleme beim Kommentieren",
     "<p>So können Sie kommentieren, wie es früher war, sagte der Bürgermeister nicht.</p>", "sagte der Bürgermeister"),
    ("de", '<p class="meta"><a href="/feed">Kommentarfeed</a> | Kommentare geschlossen | <a href="/tb">Trackback-URL</a></p>',
     "Kommentare geschlossen",
     "<p>Die Kommentare geschlossen zu halten, war eine Entscheidung des Rates.</p>", "eine Entscheidung des Rates"),
    ("de", "<p>Sowohl Kommentare als auch Pings sind derzeit geschlossen.</p>", "Pings sind derzeit geschlossen",
     "<p>Die Bäder sind derzeit geschlossen, teilte die Stadt mit.</p>", "teilte die Stadt mit"),
    ("de", "<header>Diskutiere mit anderen Fans über diese Nachricht</header>", "Diskutiere mit anderen Fans",
     "<p>Diskutiere nicht mit dem Schiedsrichter, sagte der Trainer seinen Spielern.</p>", "sagte der Trainer"),
    ("fr", "<span>Soyez toujours courtois dans vos commentaires.<br>Respectez le <a href=\"/charte\">réglement de la communauté</a>.</span>",
     "Soyez toujours courtois",
     "<p>Soyez toujours courtois, répétait le directeur de l'école à ses élèves.</p>", "répétait le directeur"),
    ("es", "<ul><li>No está permitido verter comentarios contrarios a las leyes, injuriantes o lesivos a terceros.</li></ul>",
     "No está permitido verter comentarios",
     "<p>No está permitido aparcar en la plaza durante las fiestas, recordó el alcalde.</p>", "recordó el alcalde"),
    ("ar", "<div><p>الآراء الواردة أدناه لا تعبر عن رأي الموقع، بل تعكس وجهات نظر أصحابها فقط.</p></div>",
     "الآراء الواردة أدناه",
     "<p>قال الوزير إن الآراء تختلف حول الخطة الجديدة للنقل العام في المدينة.</p>", "الخطة الجديدة"),
    ("zh", '<div class="pl-showinfo">请先说点什么</div>', "请先说点什么",
     "<p>他站起来，想先说点什么，却被主持人打断了，会场一片安静。</p>", "却被主持人打断了"),
    ("en", "<div>The Daily Example does not append comment threads to stories from wire services. "
           "Rather, we focus on discussions of our own reporting.</div>", "does not append comment threads",
     "<p>Rather, we focus on discussions of our own reporting, the editor wrote in 2019.</p>", "the editor wrote in 2019"),
    ("en", "<div>This site does not endorse the views expressed by commenters.</div>", "does not endorse the views",
     "<p>The agency does not append comments to its forecasts, a spokesman said.</p>", "a spokesman said"),
    ("en", '<div class="cta"><span>Commenting on this article has ended</span></div>', "Commenting on this article has",
     "<p>Commenting on this article has ended up costing the senator his seat, critics said.</p>", "critics said"),
    ("en", '<div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" '
           'href="https://x.blogspot.com/feeds/456/comments/default">Post Comments (Atom)</a></div></div>',
     "Post Comments (Atom)", "<p>Readers can subscribe to the post comments, the editor said.</p>", "the editor said"),
]


@pytest.mark.parametrize(("lang", "clutter", "gone", "article", "kept"), SHARE,
                         ids=[f"{row[0]}-{row[2][:24]}" for row in SHARE])
def test_share_prompt_goes_and_like_sentence_stays(lang, clutter, gone, article, kept):
    check(lang, clutter, gone, article, kept)


@pytest.mark.parametrize(("lang", "clutter", "gone", "article", "kept"), COMMENT,
                         ids=[f"{row[0]}-{row[2][:24]}" for row in COMMENT])
def test_comment_notice_goes_and_like_sentence_stays(lang, clutter, gone, article, kept):
    check(lang, clutter, gone, article, kept)


def check(lang: str, clutter: str, gone: str, article: str, kept: str) -> None:
    html = page(lang, article, clutter)
    before = visible_text(html)
    assert gone in before and kept in before
    result = clean_page(html, "https://news.example/2024/05/a-story/")
    assert result.error is None
    after = visible_text(result.html)
    # The article's sentence may start like the prompt: the prompt's own copy goes.
    assert after.count(gone) == before.count(gone) - 1, result.removed
    assert kept in after, result.removed
