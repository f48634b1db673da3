"""Copy the shipped model's card, written by pneumo_release, to nbs/model_card.md.

The card is pneumo_nb/release/model_card.md. Its own `# 模型卡 Model card` heading becomes the page
title; everything else is copied unchanged, and tests/test_book.py checks that the page and the
shipped card agree.
Usage: python tools/model_card_page.py
"""
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def page_text():
    "The model card page: the shipped card under front matter."
    card = (root/'pneumo_nb'/'release'/'model_card.md').read_text(encoding='utf-8')
    first, body = card.split('\n', 1)
    why = 'pneumo_nb/release/model_card.md: not a card written by pneumo_release'
    assert first.startswith('# 模型卡 Model card'), why
    version = first.rsplit(' ', 1)[-1]
    front = ('---\n'
             'title: "26 · 模型卡  The model card"\n'
             f'description: "The card of the model shipped with pneumo_nb {version}, copied '
             f'unchanged. 随 pneumo_nb {version} 发布的模型的卡，原样复制。"\n'
             '---\n')
    return front + body

if __name__ == '__main__':
    (root/'nbs'/'model_card.md').write_text(page_text(), encoding='utf-8')
    print('wrote nbs/model_card.md from pneumo_nb/release/model_card.md')
