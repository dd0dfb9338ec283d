"""The built-in packs on the share, comment and related-posts markup of common publishing
platforms and plugins (written here after their public markup): none of these pages is in
clutter-dev, so this is how the packs do on sites they were not written from. Each block
goes whole, but for the like and clap counts of Substack and Medium (bare numbers) and
Blogger's pager (its labels name no story), and the article stays."""
from __future__ import annotations

import pytest

from proxy.engine import clean_page
from support.pagetext import visible_text

U = "https%3A%2F%2Fexample-news.com%2F2024%2F05%2Fstory%2F"
ARTICLE = "".join(f"<p>Paragraph {n}: the harbour board met on Tuesday to decide how the storm damage to the old "
                  f"quay will be repaired before the summer season.</p>" for n in range(8))
WORDPRESS = '<link rel="stylesheet" href="https://example-news.com/wp-content/themes/t/style.css">'
# What may stay of a block: bare counts, a pager's labels.
LEFT = {"substack": "12", "medium": "1.2K23", "blogger-comments": "Newer PostOlder PostHome"}

PLATFORMS = {
    'essb': f'<div class="essb_links essb_counter_modern_right essb_template_modern-retina"><ul class="essb_links_list"><li class="essb_item essb_link_facebook nolightbox"><a href="https://www.facebook.com/sharer/sharer.php?u={U}" title="Share on Facebook" class="nolightbox" rel="noreferrer noopener nofollow" target="_blank"><span class="essb_icon essb_icon_facebook"></span><span class="essb_network_name">Facebook</span></a></li><li class="essb_item essb_link_twitter nolightbox"><a href="https://twitter.com/intent/tweet?text=Story&url={U}" title="Share on Twitter" class="nolightbox" rel="noreferrer noopener nofollow" target="_blank"><span class="essb_icon essb_icon_twitter"></span><span class="essb_network_name">Twitter</span></a></li></ul></div>',
    'jetpack-share': '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul><li class="share-twitter"><a rel="nofollow noopener noreferrer" data-shared="sharing-twitter-1" class="share-twitter sd-button share-icon" href="https://example-news.com/2024/05/story/?share=twitter" target="_blank" title="Click to share on Twitter"><span>Twitter</span></a></li><li class="share-facebook"><a rel="nofollow noopener noreferrer" data-shared="sharing-facebook-1" class="share-facebook sd-button share-icon" href="https://example-news.com/2024/05/story/?share=facebook" target="_blank" title="Click to share on Facebook"><span>Facebook</span></a></li><li class="share-end"></li></ul></div></div></div>',
    'jetpack-likes': '<div class="sharedaddy sd-block sd-like jetpack-likes-widget-wrapper jetpack-likes-widget-unloaded" id="like-post-wrapper-1" data-src="https://widgets.wp.com/likes/#blog_id=1&amp;post_id=2" data-name="like-post-frame-1"><h3 class="sd-title">Like this:</h3><div class="likes-widget-placeholder post-likes-widget-placeholder" style="height: 55px;"><span class="button"><span>Like</span></span> <span class="loading">Loading...</span></div><span class="sd-text-color"></span><a class="sd-link-color"></a></div>',
    'td-sharing': f'<div class="td-post-sharing-top"><div id="td_social_sharing_article_top" class="td-post-sharing td-ps-bg td-ps-notext td-post-sharing-style1 "><div class="td-post-sharing-visible"><a class="td-social-sharing-button td-social-sharing-button-js td-social-network td-social-facebook" href="https://www.facebook.com/sharer.php?u={U}" title="Facebook"><div class="td-social-but-icon"><i class="td-icon-facebook"></i></div><div class="td-social-but-text">Facebook</div></a><a class="td-social-sharing-button td-social-sharing-button-js td-social-network td-social-twitter" href="https://twitter.com/intent/tweet?text=Story&amp;url={U}" title="Twitter"><div class="td-social-but-icon"><i class="td-icon-twitter"></i></div><div class="td-social-but-text">Twitter</div></a><a class="td-social-sharing-button td-social-sharing-button-js td-social-network td-social-whatsapp" href="https://api.whatsapp.com/send?text=Story%20%0A%0A{U}" title="WhatsApp"><div class="td-social-but-icon"><i class="td-icon-whatsapp"></i></div><div class="td-social-but-text">WhatsApp</div></a></div><div class="td-social-sharing-hidden"><ul class="td-pulldown-filter-list"></ul><a class="td-social-sharing-button td-social-handler td-social-expand-tabs" href="#" data-block-uid="td_social_sharing_article_top" title="More"><div class="td-social-but-icon"><i class="td-icon-plus td-social-expand-tabs-icon"></i></div></a></div></div></div>',
    'jeg-share': f'<div class="jeg_share_top_container"><div class="jeg_share_button clearfix"><div class="jeg_share_stats"><div class="jeg_share_count"><div class="counts">0</div><span class="sharetext">SHARES</span></div><div class="jeg_views_count"><div class="counts">12</div><span class="sharetext">VIEWS</span></div></div><div class="jeg_sharelist"><a href="http://www.facebook.com/sharer.php?u={U}" rel="nofollow" class="jeg_btn-facebook expanded"><i class="fa fa-facebook-official"></i><span>Share on Facebook</span></a><a href="https://twitter.com/intent/tweet?text=Story&url={U}" rel="nofollow" class="jeg_btn-twitter expanded"><i class="fa fa-twitter"></i><span>Share on Twitter</span></a></div></div></div>',
    'penci': f'<div class="tags-share-box single-post-share center-box  no-tag"><span class="single-comment-o"><i class="penci-faicon fa fa-comment-o"></i>0 comment</span><div class="post-share"><span class="post-share-item post-share-plike"><span class="count-number-like">0</span><a href="#" aria-label="Like this post" class="penci-post-like single-like-button" data-post_id="1" title="Like" data-like="Like" data-unlike="Unlike"><i class="penci-faicon fa fa-heart-o"></i></a></span><a class="new-ver-share post-share-item post-share-facebook" aria-label="Share on Facebook" target="_blank" rel="noreferrer" href="https://www.facebook.com/sharer/sharer.php?u={U}"><i class="penci-faicon fa fa-facebook"></i><span class="dt-share">Facebook</span></a><a class="new-ver-share post-share-item post-share-twitter" aria-label="Share on Twitter" target="_blank" rel="noreferrer" href="https://twitter.com/intent/tweet?text=Story%20-%20{U}"><i class="penci-faicon fa fa-twitter"></i><span class="dt-share">Twitter</span></a></div></div>',
    'wpdiscuz': '<div class="wpdiscuz_top_clearing"></div><div id="comments" class="comments-area"><div id="respond" style="width: 0;height: 0;clear: both;margin: 0;padding: 0;"></div><div id="wpdcom" class="wpdiscuz_unauth wpd-default wpd-layout-1 wpd-comments-open"><div class="wc_social_plugin_wrapper"></div><div class="wpd-form-wrap"><div class="wpd-form-head"><div class="wpd-sbs-toggle"><i class="far fa-envelope"></i> <span class="wpd-sbs-title">Subscribe</span> <i class="fas fa-caret-down"></i></div><div class="wpd-auth"><div class="wpd-login"><i class="fas fa-sign-in-alt"></i> <a rel="nofollow" href="https://example-news.com/wp-login.php">Login</a></div></div></div><div class="wpdiscuz-subscribe-bar wpdiscuz-hidden"><form action="#" method="post" id="wpdiscuz-subscribe-form"><div class="wpdiscuz-subscribe-form-intro">Notify of </div><div class="wpdiscuz-subscribe-form-option" style="width:40%;"><select class="wpdiscuz_select" name="wpdiscuzSubscriptionType"><option value="post">new follow-up comments</option><option value="all_comment">new replies to my comments</option></select></div></form></div></div><div class="wpd-thread-head"><div class="wpd-thread-info " data-comments-count="0"><span class="wpdtc" title="0">0</span> Comments</div><div class="wpd-space"></div><div class="wpd-thread-filter"><div class="wpd-filter wpdf-reacted wpd_not_clicked" wpd-tooltip="Most reacted comment"><i class="fas fa-bolt"></i></div></div></div><div class="wpd-comment-info-bar"></div><div id="wpd-threads" class="wpd-thread-wrapper"><div class="wpd-thread-list"><div class="wpdiscuz-comment-pagination"></div></div></div></div></div><div id="wpdiscuz-loading-bar" class="wpdiscuz-loading-bar-unauth"></div>',
    'coral': '<div id="coral_thread"></div><div class="comments-cta"><button class="js-comments-button">Join the conversation</button><p>Comments are moderated. Please read our <a href="/community-guidelines">community guidelines</a>.</p></div>',
    'openweb': '<div class="spot-im-module" data-spotim-module="conversation" data-post-id="123"></div><div class="openweb-cta"><span>Join the Conversation</span><span>Commenting on this article has ended</span></div>',
    'wp-respond': '<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="/2024/05/story/#respond" style="display:none;">Cancel reply</a></small></h3><form action="https://example-news.com/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p><p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p><p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p></form></div>',
    'astra-nav': '<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links"><div class="nav-previous"><a href="https://example-news.com/2024/05/older-story/" rel="prev"><span class="ast-left-arrow">←</span> Previous Post</a></div><div class="nav-next"><a href="https://example-news.com/2024/05/newer-story/" rel="next">Next Post <span class="ast-right-arrow">→</span></a></div></div></nav>',
    'jp-related': '<div id="jp-relatedposts" class="jp-relatedposts" style="display: block;"><h3 class="jp-relatedposts-headline"><em>Related</em></h3><div class="jp-relatedposts-items jp-relatedposts-items-visual jp-relatedposts-grid "><div class="jp-relatedposts-post jp-relatedposts-post0 jp-relatedposts-post-thumbs" data-post-id="11" data-post-format="false"><a class="jp-relatedposts-post-a" href="https://example-news.com/2024/04/harbour-dredging-starts-again/" title="Harbour dredging starts again after the winter" rel="nofollow" data-origin="1" data-position="0"><img class="jp-relatedposts-post-img" src="https://example-news.com/wp-content/uploads/h.jpg" width="350" height="200" alt="Harbour"></a><h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="https://example-news.com/2024/04/harbour-dredging-starts-again/" title="Harbour dredging starts again after the winter" rel="nofollow" data-origin="1" data-position="0">Harbour dredging starts again after the winter</a></h4><p class="jp-relatedposts-post-date" style="display: block;">April 2, 2024</p><p class="jp-relatedposts-post-context">In "Local"</p></div><div class="jp-relatedposts-post jp-relatedposts-post1" data-post-id="12"><h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="https://example-news.com/2024/03/ferry-prices-rise-in-spring/" rel="nofollow">Ferry prices rise in spring as fuel costs climb</a></h4><p class="jp-relatedposts-post-date">March 12, 2024</p><p class="jp-relatedposts-post-context">In "Business"</p></div></div></div>',
    'yarpp': '<div class="yarpp yarpp-related yarpp-related-website yarpp-template-list"><h3>Related posts:</h3><ol><li><a href="https://example-news.com/2024/04/harbour-dredging-starts-again/" rel="bookmark" title="Harbour dredging starts again after the winter">Harbour dredging starts again after the winter</a></li><li><a href="https://example-news.com/2024/03/ferry-prices-rise-in-spring/" rel="bookmark" title="Ferry prices rise in spring">Ferry prices rise in spring as fuel costs climb</a></li></ol></div>',
    'sassy': f'<div class="heateor_sss_sharing_container heateor_sss_horizontal_sharing" data-heateor-sss-href="https://example-news.com/2024/05/story/"><div class="heateor_sss_sharing_title" style="font-weight:bold">Spread the love</div><div class="heateor_sss_sharing_ul"><a aria-label="Facebook" class="heateor_sss_facebook" href="https://www.facebook.com/sharer/sharer.php?u={U}" title="Facebook" rel="nofollow noopener" target="_blank"><span class="heateor_sss_svg"><svg focusable="false" aria-hidden="true" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" viewBox="-5 -5 42 42"><path d="M17.78 27.5V17.008h3.522l.527-4.09h-4.05v-2.61c0-1.182.33-1.99 2.023-1.99h2.166V4.66c-.375-.05-1.66-.16-3.155-.16-3.123 0-5.26 1.905-5.26 5.405v3.016h-3.53v4.09h3.53V27.5h4.223z" fill="#fff"></path></svg></span></a></div></div>',
    'simple-social-icons': '<section id="simple-social-icons-2" class="widget simple-social-icons"><div class="widget-wrap"><h3 class="widgettitle widget-title">Follow Us</h3><ul class="aligncenter"><li class="ssi-facebook"><a href="https://www.facebook.com/examplenews" target="_blank" rel="noopener noreferrer"><svg role="img" class="social-facebook" aria-labelledby="social-facebook-2"><title id="social-facebook-2">Facebook</title><use xlink:href="https://example-news.com/wp-content/plugins/simple-social-icons/symbol-defs.svg#social-facebook"></use></svg></a></li><li class="ssi-twitter"><a href="https://twitter.com/examplenews" target="_blank" rel="noopener noreferrer"><svg role="img" class="social-twitter" aria-labelledby="social-twitter-2"><title id="social-twitter-2">Twitter</title><use xlink:href="https://example-news.com/wp-content/plugins/simple-social-icons/symbol-defs.svg#social-twitter"></use></svg></a></li></ul></div></section>',
    'blogger-share': '<div class="post-share-buttons goog-inline-block"><a class="goog-inline-block share-button sb-email" href="https://www.blogger.com/share-post.g?blogID=123&amp;postID=456&amp;target=email" target="_blank" title="Email This"><span class="share-button-link-text">Email This</span></a><a class="goog-inline-block share-button sb-blog" href="https://www.blogger.com/share-post.g?blogID=123&amp;postID=456&amp;target=blog" onclick="window.open(this.href);return false" target="_blank" title="BlogThis!"><span class="share-button-link-text">BlogThis!</span></a><a class="goog-inline-block share-button sb-twitter" href="https://www.blogger.com/share-post.g?blogID=123&amp;postID=456&amp;target=twitter" target="_blank" title="Share to X"><span class="share-button-link-text">Share to X</span></a><a class="goog-inline-block share-button sb-facebook" href="https://www.blogger.com/share-post.g?blogID=123&amp;postID=456&amp;target=facebook" onclick="window.open(this.href);return false" target="_blank" title="Share to Facebook"><span class="share-button-link-text">Share to Facebook</span></a><a class="goog-inline-block share-button sb-pinterest" href="https://www.blogger.com/share-post.g?blogID=123&amp;postID=456&amp;target=pinterest" target="_blank" title="Share to Pinterest"><span class="share-button-link-text">Share to Pinterest</span></a></div>',
    'blogger-comments': '<div class="comments" id="comments"><a name="comments"></a><h4>No comments:</h4><div id="Blog1_comments-block-wrapper"><dl class="avatar-comment-indent" id="comments-block"></dl></div><p class="comment-footer"><div class="comment-form"><a name="comment-form"></a><h4 id="comment-post-message">Post a Comment</h4><p></p><a href="https://www.blogger.com/comment/frame/123?po=456&amp;hl=en" id="comment-editor-src"></a><iframe allowtransparency="true" class="blogger-iframe-colorize blogger-comment-from-post" frameborder="0" height="410px" id="comment-editor" name="comment-editor" src="" width="100%"></iframe></div></p></div><div class="blog-pager" id="blog-pager"><span id="blog-pager-newer-link"><a class="blog-pager-newer-link" href="https://x.blogspot.com/2024/05/newer.html" id="Blog1_blog-pager-newer-link" title="Newer Post">Newer Post</a></span><span id="blog-pager-older-link"><a class="blog-pager-older-link" href="https://x.blogspot.com/2024/05/older.html" id="Blog1_blog-pager-older-link" title="Older Post">Older Post</a></span><a class="home-link" href="https://x.blogspot.com/">Home</a></div><div class="clear"></div><div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" href="https://x.blogspot.com/feeds/456/comments/default" target="_blank" type="application/atom+xml">Post Comments (Atom)</a></div></div>',
    'substack': '<div class="post-footer"><div class="post-ufi"><div class="like-button-container post-ufi-button"><button class="like-button" aria-label="Like (12)"><svg role="img" width="20" height="20"><g><title></title><path d="M19"></path></g></svg><div class="label">12</div></button></div><a class="post-ufi-button post-ufi-comment-button" href="https://x.substack.com/p/story/comments" aria-label="View comments (3)"><svg role="img"><g><title></title><path d="M21"></path></g></svg><div class="label">3</div></a><a class="post-ufi-button" href="javascript:void(0)" aria-label="Share"><svg><g><title></title></g></svg><div class="label">Share</div></a></div><p class="button-wrapper" data-attrs=\'{"url":"https://x.substack.com/p/story/comments","text":"Leave a comment","action":null,"class":null}\'><a class="button primary" href="https://x.substack.com/p/story/comments"><span>Leave a comment</span></a></p><p class="button-wrapper"><a class="button primary" href="https://x.substack.com/p/story?utm_source=substack&utm_medium=email&utm_content=share&action=share"><span>Share</span></a></p></div>',
    'drupal': '<ul class="links inline"><li class="comment-forbidden"><a href="/user/login?destination=node/123%23comment-form">Log in</a> or <a href="/user/register?destination=node/123%23comment-form">register</a> to post comments</li><li class="comment-add"><a href="/comment/reply/123#comment-form" title="Share your thoughts and opinions related to this posting.">Add new comment</a></li><li class="print_html"><a href="/print/123" title="Display a printer-friendly version of this page." class="print-page" rel="nofollow">Printer-friendly version</a></li></ul>',
    'addthis': '<div class="addthis_inline_share_toolbox_x1y2"></div><div class="addthis_toolbox addthis_default_style"><a class="addthis_button_facebook_like" fb:like:layout="button_count"></a><a class="addthis_button_tweet"></a><a class="addthis_counter addthis_pill_style"></a></div>',
    'sharethis': '<div class="sharethis-inline-share-buttons st-center st-has-labels st-inline-share-buttons st-animated" id="st-1"><div class="st-btn st-first" data-network="facebook" style="display: inline-block;"><img alt="facebook sharing button" src="https://platform-cdn.sharethis.com/img/facebook.svg"><span class="st-label">Share</span></div><div class="st-btn" data-network="twitter" style="display: inline-block;"><img alt="twitter sharing button" src="https://platform-cdn.sharethis.com/img/twitter.svg"><span class="st-label">Tweet</span></div><div class="st-btn st-last" data-network="email" style="display: inline-block;"><img alt="email sharing button" src="https://platform-cdn.sharethis.com/img/email.svg"><span class="st-label">Email</span></div></div>',
    'fb-comments': '<div class="fb-comments-wrapper"><h3>Comments</h3><div class="fb-comments" data-href="https://example-news.com/2024/05/story/" data-numposts="5" data-width="100%"></div></div>',
    'ghost': '<section class="article-comments gh-canvas"><div class="gh-comments"><h3>Discussion</h3><p>Become a member to join the discussion</p><a href="#/portal/signup" class="gh-button">Sign up</a><p>Already a member? <a href="#/portal/signin">Sign in</a></p></div></section><aside class="read-more-wrap"><div class="read-more inner"><div class="post-card-header"><h2>Read more</h2></div><article class="post-card"><a class="post-card-content-link" href="/2024/04/ferry-prices/"><header class="post-card-header"><h2 class="post-card-title">Ferry prices rise as fuel costs climb</h2></header><section class="post-card-excerpt"><p>The operator blamed fuel.</p></section></a></article><article class="post-card"><a class="post-card-content-link" href="/2024/04/harbour-dredging/"><header class="post-card-header"><h2 class="post-card-title">Harbour dredging starts again after winter</h2></header><section class="post-card-excerpt"><p>Works resume in May.</p></section></a></article></div></aside>',
    'medium': '<div class="ab ca"><div class="pw-multi-vote-icon"><button aria-label="clap" data-testid="headerClapButton"><svg width="24" height="24" aria-label="clap"></svg></button></div><div class="pw-multi-vote-count"><p class="bf b dx z dt"><button>1.2K</button></p></div><div><button aria-label="responses" class="af ag"><svg width="24" height="24" class="kb"></svg><p class="bf b dx z dt"><span class="pw-responses-count">23</span></p></button></div><div><button aria-controls="addToCatalogBookmarkButton" aria-label="Add to list bookmark button" data-testid="headerBookmarkButton" class="af"><svg width="24" height="24" fill="none" viewBox="0 0 24 24" class="au"><path fill="#000"></path></svg></button></div><div class="bm"><button aria-label="Share Post" data-testid="headerSocialShareButton"><svg width="24" height="24" fill="none"><path fill="currentColor"></path></svg><p class="bf b dx z dt">Share</p></button></div></div>',
    'shareaholic': '<div class="shareaholic-canvas" data-app="share_buttons" data-title="Story" data-link="https://example-news.com/2024/05/story/" data-app-id-name="post_below_content"><div class="shareaholic-share-buttons-container"><div class="shareaholic-share-buttons-wrapper"><span class="shareaholic-share-buttons-heading">Share this:</span><ul class="shareaholic-share-buttons"><li class="shareaholic-share-button" data-service="facebook"><div class="shareaholic-share-button-container"><span class="share-button-counter"></span><div class="share-button-sizing"><i class="shareaholic-service-icon service-facebook"></i><span class="share-button-verb"><b>Share</b></span></div></div></li></ul></div></div></div>',
}


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_a_platforms_clutter_goes_and_the_article_stays(name):
    html = (f'<!doctype html><html lang="en"><head><title>Storm damage</title>{WORDPRESS}</head>'
            f'<body class="single single-post"><main><article class="post"><h1>Storm damage to the quay</h1>'
            f'<div class="entry-content">{ARTICLE}</div>{PLATFORMS[name]}</article></main></body></html>')
    result = clean_page(html, "https://example-news.com/2024/05/story/")
    text = visible_text(result.output_bytes(html.encode()) or html.encode())
    article = visible_text(f"<html><body><h1>Storm damage to the quay</h1>{ARTICLE}</body></html>".encode())
    assert text.startswith(article), result.removed
    assert text[len(article):].strip() == LEFT.get(name, ""), result.removed


# Icon systems: (markup, the words that must go, the words that must stay).
ICONS = {
    "material-icons": ('<div class="toolbar"><button class="btn"><span class="material-icons">share</span></button>'
                       '<button><i class="material-icons md-18">bookmark_border</i></button><a href="#comments">'
                       '<span class="material-symbols-outlined">chat_bubble</span> 12</a></div>',
                       ["share", "bookmark_border", "chat_bubble"], []),
    "material-in-a-sentence": ('<p>Tap <span class="material-icons" aria-hidden="true">more_vert</span> to open the '
                               'menu, the guide says.</p>', ["more_vert"], ["to open the menu, the guide says."]),
    "new-window-hint": ('<p>The full report is <a href="https://gov.example/report.pdf" target="_blank">on the '
                        'ministry\'s site<span class="sr-only"> (opens in a new window)</span></a>, officials '
                        'said.</p>', ["opens in a new window"], ["The full report is on the ministry's site"]),
    "new-window-hint-de": ('<p>Der Bericht steht <a href="https://gov.example/b.pdf">auf der Seite des Ministeriums'
                           '<span class="visually-hidden">(öffnet in neuem Fenster)</span></a>.</p>',
                           ["öffnet in neuem Fenster"], ["auf der Seite des Ministeriums"]),
    "svg-title": ('<div class="social"><a href="https://www.facebook.com/examplenews"><svg class="icon icon-facebook">'
                  '<title>Facebook icon</title><use href="#icon-facebook"></use></svg></a></div>',
                  ["Facebook icon"], []),
    "sprite-label": ('<button class="save"><span class="icon icon--bookmark">icon bookmark</span></button>'
                     '<span class="icon icon--camera">camera</span>', ["icon bookmark", "camera"], []),
    # What must stay: a chart's own title and caption, a picture's caption, a hidden word
    # that is the sentence's, the word "share" in a sentence.
    "chart": ('<figure><svg role="img" aria-labelledby="t1" viewBox="0 0 400 200"><title id="t1">Unemployment rate, '
              '2010 to 2024</title><rect width="10" height="20"></rect></svg><figcaption>Unemployment rate, 2010 to '
              '2024. Source: the statistics office.</figcaption></figure>', [],
              ["Unemployment rate, 2010 to 2024Unemployment rate, 2010 to 2024. Source: the statistics office."]),
    "caption": ('<figure><img src="/quay.jpg" alt="The damaged quay at low tide"><figcaption>The damaged quay at low '
                'tide. Photo: J. Smith</figcaption></figure>', [], ["The damaged quay at low tide. Photo: J. Smith"]),
    "hidden-word": ('<p>Prices rose by <span aria-hidden="true">↑</span><span class="sr-only">up</span> 4% in March.</p>',
                    [], ["Prices rose by ↑up 4% in March."]),
    "share-in-a-sentence": ('<p>The share of ferry passengers who travel by bike rose to 12% this year.</p>', [],
                            ["The share of ferry passengers who travel by bike rose to 12% this year."]),
}


@pytest.mark.parametrize("name", sorted(ICONS))
def test_icon_names_go_and_what_a_reader_needs_stays(name):
    markup, gone, kept = ICONS[name]
    half = ARTICLE.index("<p>Paragraph 4")
    html = (f'<!doctype html><html lang="en"><head><title>Storm damage</title></head><body><main><article>'
            f'<h1>Storm damage to the quay</h1>{ARTICLE[:half]}{markup}{ARTICLE[half:]}</article></main></body></html>')
    result = clean_page(html, "https://example-news.com/2024/05/story/")
    text = visible_text(result.output_bytes(html.encode()) or html.encode())
    assert all(word not in text for word in gone), result.removed
    assert all(words in text for words in kept), result.removed
    assert text.count("Paragraph") == 8


# Inline promos and related boxes as large news sites write them (the article's host is
# example-news.com), and links and boxes that are not promos.
PROMOS = {
    'cnn-related': '<div class="related-content related-content--article"><span class="related-content__label">Related article</span><a href="/2024/05/01/world/ferry-prices-rise/index.html"><div class="related-content__image"><img src="/f.jpg" alt=""></div><div class="related-content__headline"><span>Ferry prices rise as fuel costs climb across the region</span></div></a></div>',
    'ap-related': '<div class="Page-storyBody"><p>RELATED COVERAGE</p><ul><li><a href="https://apnews.com/article/ferry-prices-abc">Ferry prices rise as fuel costs climb across the region</a></li><li><a href="https://apnews.com/article/harbour-dredging-def">Harbour dredging starts again after a long winter</a></li></ul></div>',
    'reuters-read-next': '<div data-testid="ReadNext"><h2>Read Next</h2><ul><li><a href="/world/europe/ferry-prices-rise-2024-05-01/"><span data-testid="Heading">Ferry prices rise as fuel costs climb across the region</span><time>May 1, 2024</time></a></li><li><a href="/world/europe/harbour-dredging-2024-04-30/"><span data-testid="Heading">Harbour dredging starts again after a long winter</span><time>April 30, 2024</time></a></li></ul></div>',
    'guardian-inline': '<aside class="element element-rich-link element--thumbnail"><p><span>Related: </span><a href="https://www.theguardian.com/uk-news/2024/may/01/ferry-prices-rise">Ferry prices rise as fuel costs climb across the region</a></p></aside>',
    'de-mehr-zum-thema': '<div class="box"><h3>Mehr zum Thema</h3><ul><li><a href="/politik/faehrpreise-steigen-100.html">Fährpreise steigen wegen hoher Treibstoffkosten deutlich</a></li><li><a href="/politik/hafen-baggerarbeiten-101.html">Baggerarbeiten im Hafen beginnen nach dem Winter wieder</a></li></ul></div>',
    'fr-a-lire-aussi': '<div class="article__item"><p class="article__link"><strong>A lire aussi</strong> <a href="/societe/article/2024/05/01/les-prix-des-ferries-augmentent_123.html">Les prix des ferries augmentent avec le carburant</a></p></div>',
    'es-te-puede-interesar': '<div class="related"><span>Te puede interesar:</span> <a href="/sociedad/2024/05/01/precio-ferry.html">El precio del ferry sube por el coste del combustible</a></div>',
    'read-more-single-p': '<p><strong>READ MORE:</strong> <a href="/news/2024/05/01/ferry-prices/">Ferry prices rise as fuel costs climb across the region</a></p>',
    'also-on-site': '<div class="also-on"><span>Also on example-news.com</span><a href="/2024/05/01/ferry-prices/">Ferry prices rise as fuel costs climb across the region</a></div>',
}
NOT_PROMOS = {
    'source-link-para': '<p>The full <a href="/documents/2024/harbour-report.pdf">report of the harbour board on the storm damage</a> runs to 40 pages, and its appendix lists every repair.</p>',
    'tags': '<div class="tags"><a href="/tag/harbour/">Harbour</a> <a href="/tag/storms/">Storms</a></div>',
    'most-read-sidebar-aside': '<aside class="sidebar"><h3>Most read</h3><ol><li><a href="/2024/05/01/ferry-prices/">Ferry prices rise as fuel costs climb across the region</a></li><li><a href="/2024/04/30/dredging/">Harbour dredging starts again after a long winter</a></li></ol></aside>',
    'quote-with-link': '<blockquote><p>"We will rebuild the quay," said the mayor, <a href="/2024/04/30/mayor-interview/">in an interview last month</a>.</p></blockquote>',
}
PROMO_WORDS = ("Ferry prices", "Harbour dredging", "Fährpreise", "Les prix", "El precio", "Related", "RELATED",
               "Read", "Mehr zum", "lire aussi", "interesar", "Also on")


def _with(markup: str, after: bool = False) -> str:
    half = ARTICLE.index("<p>Paragraph 4")
    body = f"{ARTICLE}</div></article>{markup}" if after else f"{ARTICLE[:half]}{markup}{ARTICLE[half:]}</div></article>"
    html = (f'<!doctype html><html lang="en"><head><title>t</title></head><body><main><article><h1>Storm damage</h1>'
            f'<div class="body">{body}</main></body></html>')
    result = clean_page(html, "https://example-news.com/2024/05/02/storm-damage/")
    return visible_text(result.output_bytes(html.encode()) or html.encode())


@pytest.mark.parametrize("name", sorted(PROMOS))
def test_a_news_sites_promo_goes(name):
    text = _with(PROMOS[name])
    assert not [w for w in PROMO_WORDS if w in text] and text.count("Paragraph") == 8


@pytest.mark.parametrize("name", sorted(NOT_PROMOS))
def test_links_that_are_not_promos_stay(name):
    markup = NOT_PROMOS[name]
    text = _with(markup, after="sidebar" in name)
    assert visible_text(f"<html><body>{markup}</body></html>".encode()) in text and text.count("Paragraph") == 8


# "Share" and "Comments" as a button says them, in 33 languages (capitalised as labels are).
BUTTONS = {
    "vi": ("Chia sẻ", "Bình luận"), "id": ("Bagikan", "Komentar"), "tr": ("Paylaş", "Yorumlar"),
    "hi": ("शेयर करें", "टिप्पणियाँ"), "pt": ("Compartilhe", "Comentários"), "it": ("Condividi", "Commenti"),
    "nl": ("Delen", "Reacties"), "pl": ("Udostępnij", "Komentarze"), "ru": ("Поделиться", "Комментарии"),
    "de": ("Teilen", "Kommentare"), "fr": ("Partager", "Commentaires"), "es": ("Compartir", "Comentarios"),
    "he": ("שתפו", "תגובות"), "ar": ("مشاركة", "التعليقات"), "fa": ("اشتراک گذاری", "نظرات"),
    "sv": ("Dela", "Kommentarer"), "da": ("Del", "Kommentarer"), "no": ("Del", "Kommentarer"),
    "fi": ("Jaa", "Kommentit"), "cs": ("Sdílet", "Komentáře"), "hu": ("Megosztás", "Hozzászólások"),
    "ro": ("Distribuie", "Comentarii"), "el": ("Κοινοποίηση", "Σχόλια"), "uk": ("Поділитися", "Коментарі"),
    "zh": ("分享", "评论"), "ja": ("シェア", "コメント"), "ko": ("공유하기", "댓글"), "th": ("แชร์", "ความคิดเห็น"),
    "bg": ("Сподели", "Коментари"), "ms": ("Kongsi", "Komen"), "tl": ("Ibahagi", "Mga komento"),
    "sw": ("Shiriki", "Maoni"), "bn": ("শেয়ার করুন", "মন্তব্য"),
}


@pytest.mark.parametrize("lang", sorted(BUTTONS))
def test_share_and_comment_buttons_go_in_every_language(lang):
    for word in BUTTONS[lang]:
        html = (f"<!doctype html><html lang={lang}><head><title>t</title></head><body><article>{ARTICLE}"
                f"<div class='tools'><button>{word}</button></div></article></body></html>")
        result = clean_page(html, "https://news.example/a/")
        text = visible_text(result.output_bytes(html.encode()) or html.encode())
        assert word not in text and text.count("Paragraph") == 8, (word, result.removed)
