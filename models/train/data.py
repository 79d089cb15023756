"""Tokenised training examples: prompt + solution + end-of-text, with the loss mask
(1 only on tokens the model writes: not the prompt, not interpreter output)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tokenizer'))
from tokenizer import Tokenizer, EOS_ID  # noqa: E402

PROMPT = 'Question: {question}\n\nSolution:\n\n'


def encode_example(tok, question, solution):
    """ids and loss mask; text between '</code>' and the next '\\n\\n<p>' or end (the Output line) is masked."""
    prompt_ids = tok.encode(PROMPT.format(question=question))
    ids, mask = list(prompt_ids), [0] * len(prompt_ids)
    rest = solution
    while rest:
        cut = rest.find('</code>')
        if cut < 0:
            chunk_ids = tok.encode(rest)
            ids += chunk_ids
            mask += [1] * len(chunk_ids)
            break
        written = rest[:cut + len('</code>')]
        w = tok.encode(written)
        ids += w
        mask += [1] * len(w)
        rest = rest[cut + len('</code>'):]
        end = rest.find('\n\n')
        fed = rest[:end + 2] if end >= 0 else rest
        f = tok.encode(fed)
        ids += f
        mask += [0] * len(f)
        rest = rest[len(fed):]
    ids.append(EOS_ID)
    mask.append(1)
    return ids, mask


def load(path, tok, limit=None):
    out = []
    with open(path) as fh:
        for i, line in enumerate(fh):
            if limit and i >= limit:
                break
            p = json.loads(line)
            out.append((*encode_example(tok, p['question'], p['solution']), p))
    return out
