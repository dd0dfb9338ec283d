#!/usr/bin/env python3
"""Annotation aid for clutter-dev: shows a page's visible text and checks cases files.

The visible text is clutter_check.py's own (text of <body> minus script, style, template,
noscript; text nodes joined by one space; whitespace collapsed), so a string copied from
a `view` line is a string the measure can find. It never runs a cleaner: annotations
are made blind.

  annotate.py view ID [--lines A-B]   the page's visible text, one line per block, each
                                      with the block's element path (tag.class#id ...)
  annotate.py find ID TEXT            how often TEXT occurs in the visible text
  annotate.py check FILE [FILE...]    validate cases files by ANNOTATING.md's rules
"""
import argparse
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
SHARED = os.path.normpath(os.path.join(ROOT, '..', 'shared'))
CORPUS = os.path.join(SHARED, 'corpora', 'clutter-dev')
sys.path.insert(0, os.path.join(SHARED, 'tools'))

import clutter_check  # noqa: E402  (the measure's own decoding and text)
from selectolax.lexbor import LexborHTMLParser  # noqa: E402

KINDS = ('sprite', 'share', 'comment', 'promo')
SKIP = {'script', 'style', 'template', 'noscript'}
BLOCK = {'address', 'article', 'aside', 'blockquote', 'body', 'button', 'dd', 'details', 'dialog',
         'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
         'h4', 'h5', 'h6', 'header', 'hr', 'label', 'li', 'main', 'nav', 'ol', 'p', 'pre',
         'section', 'summary', 'table', 'td', 'th', 'tr', 'ul', 'select', 'option', 'textarea',
         'svg', 'title', 'desc', 'text', 'caption'}


def manifest():
    with open(os.path.join(CORPUS, 'manifest.json'), encoding='utf-8') as fh:
        return {e['id']: e for e in json.load(fh)}


def page_html(page_id):
    with open(os.path.join(CORPUS, 'pages', page_id + '.html.gz'), 'rb') as fh:
        return clutter_check.decode_html(gzip.decompress(fh.read()))


def label(node):
    out = node.tag
    attrs = node.attributes
    if attrs.get('id'):
        out += '#' + attrs['id'][:30]
    if attrs.get('class'):
        out += '.' + '.'.join(attrs['class'].split())[:60]
    for name in ('aria-label', 'aria-hidden', 'role', 'href'):
        if attrs.get(name):
            out += '[%s=%s]' % (name, attrs[name][:50])
    return out


def blocks(html):
    """(path, text) per run of text nodes sharing their nearest block ancestor."""
    tree = LexborHTMLParser(html)
    for node in tree.css('script, style, template, noscript'):
        node.decompose()
    body = tree.body
    if body is None:
        return []
    out, current, parts = [], None, []
    for node in body.traverse(include_text=True):
        if node.tag != '-text':
            continue
        text = node.text_content or ''
        if not text.strip():
            continue
        block, inline = node.parent, []
        while block is not None and block.tag not in BLOCK:
            inline.append(block.tag)
            block = block.parent
        if block is not current:
            if parts:
                out.append((path_of(current), ' '.join(' '.join(parts).split())))
            current, parts = block, []
        parts.append(text)
    if parts:
        out.append((path_of(current), ' '.join(' '.join(parts).split())))
    return out


def path_of(node):
    names = []
    while node is not None and node.tag not in ('body', 'html') and len(names) < 3:
        names.append(label(node))
        node = node.parent
    return ' < '.join(names) or 'body'


def visible(html):
    return clutter_check.Haystack(clutter_check.visible_text(html))


def count(hay, text):
    n = clutter_check.norm(text)
    return hay.ws.count(n), hay.nows.count(''.join(n.split()))


def cmd_view(args):
    entry = manifest()[args.id]
    print('# %s  lang=%s  site=%s\n# url=%s' % (args.id, entry['lang'], entry['site'], entry['url']))
    lines = blocks(page_html(args.id))
    lo, hi = 1, len(lines)
    if args.lines:
        a, _, b = args.lines.partition('-')
        lo, hi = int(a or 1), int(b or len(lines))
    print('# %d lines' % len(lines))
    for i, (path, text) in enumerate(lines, 1):
        if lo <= i <= hi:
            print('%4d [%s] %s' % (i, path, text))


def cmd_find(args):
    ws, nows = count(visible(page_html(args.id)), args.text)
    print('occurs %d times (%d ignoring whitespace)' % (ws, nows))


def check_case(case, entry, hay):
    problems = []
    drops, keeps = case.get('must_drop', []), case.get('must_keep', [])
    if case.get('url') != entry['url']:
        problems.append('url is not the manifest url %r' % entry['url'])
    if case.get('lang') != entry['lang']:
        problems.append('lang is not the manifest lang %r' % entry['lang'])
    if case.get('corpus') != 'clutter-dev':
        problems.append('corpus must be "clutter-dev"')
    if bool(case.get('control')) == bool(drops):
        problems.append('a page is either control (no drops) or has 1-6 drops')
    if len(drops) > 6:
        problems.append('%d drops (at most 6)' % len(drops))
    plain = [k for k in keeps if not (k.get('note') or '').startswith('trap')]
    if not 3 <= len(plain) <= 5:
        problems.append('%d plain keep sentences (3-5 wanted)' % len(plain))
    for d in drops:
        if d.get('kind') not in KINDS:
            problems.append('drop kind %r not one of %s' % (d.get('kind'), KINDS))
        ws, nows = count(hay, d.get('text', ''))
        if ws != 1 or nows != 1:
            problems.append('drop %r occurs %d times (%d ignoring whitespace); must be exactly once'
                            % (d.get('text'), ws, nows))
    # A page that prints its whole article twice (a paywall copy, a speed-read box) has no
    # unique sentence: there each keep may occur twice, and the case says why.
    most = 2 if case.get('duplicated_body') else 1
    if case.get('duplicated_body') is not None and not isinstance(case.get('duplicated_body'), str):
        problems.append('duplicated_body must say where the second copy is')
    for k in keeps:
        ws, nows = count(hay, k.get('text', ''))
        if not 1 <= ws <= most:
            problems.append('keep %r occurs %d times; must be exactly once' % (k.get('text'), ws))
        note = k.get('note')
        if note is not None and not note.startswith('trap: '):
            problems.append('keep note %r must start with "trap: "' % note)
    texts = [d.get('text') for d in drops]
    for d in texts:
        for k in keeps:
            if d and k.get('text') and (d in k['text'] or k['text'] in d):
                problems.append('drop %r overlaps keep %r' % (d, k['text']))
    return problems


def cmd_check(args):
    entries = manifest()
    bad = 0
    seen = set()
    for path in args.files:
        with open(path, encoding='utf-8') as fh:
            cases = json.load(fh)
        for case in cases:
            page_id = os.path.basename(case.get('file', ''))[:-len('.html.gz')]
            if page_id not in entries or case.get('file') != 'pages/%s.html.gz' % page_id:
                print('%s: bad file %r' % (path, case.get('file')))
                bad += 1
                continue
            if page_id in seen:
                print('%s: %s annotated twice' % (path, page_id))
                bad += 1
            seen.add(page_id)
            problems = check_case(case, entries[page_id], visible(page_html(page_id)))
            for p in problems:
                print('%s: %s: %s' % (path, page_id, p))
            bad += bool(problems)
    print('%d cases, %d with problems' % (len(seen), bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    v = sub.add_parser('view')
    v.add_argument('id')
    v.add_argument('--lines')
    f = sub.add_parser('find')
    f.add_argument('id')
    f.add_argument('text')
    c = sub.add_parser('check')
    c.add_argument('files', nargs='+')
    args = ap.parse_args()
    return {'view': cmd_view, 'find': cmd_find, 'check': cmd_check}[args.cmd](args) or 0


if __name__ == '__main__':
    sys.exit(main())
