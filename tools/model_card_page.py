"""Copy the model card `pneumo_eval` wrote for the run of 04_eval (runs/nb_fast/eval/model_card.md) to nbs/model_card.md.

The card's own `# 模型卡 Model card` heading becomes the page title; everything else is copied unchanged.
Usage: python tools/model_card_page.py [RUN]
"""
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
run = Path(sys.argv[1]) if len(sys.argv) > 1 else root/'runs'/'nb_fast'
card = (run/'eval'/'model_card.md').read_text(encoding='utf-8')
first, body = card.split('\n', 1)
assert first.startswith('# 模型卡 Model card'), f'{run}: not a model card written by pneumo_eval'
front = ('---\ntitle: "模型卡 Model card"\n'
         f'description: "The card pneumo_eval wrote for the run {run.name}, evaluated in 04_eval, copied unchanged. '
         f'pneumo_eval 为 04_eval 中评估的运行 {run.name} 写出的模型卡，原样复制。"\n---\n')
(root/'nbs'/'model_card.md').write_text(front + body, encoding='utf-8')
print(f'wrote nbs/model_card.md from {run.name}')
