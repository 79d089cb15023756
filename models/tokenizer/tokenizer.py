"""
The demo model's tokenizer: byte-level BPE, written as a Hugging Face `tokenizer.json`
that transformers.js loads, and re-implemented here for training so both sides give
the same ids (checked by models/tests and tests/models).

- Any text round-trips: every byte has a token (GPT-2 byte-to-unicode mapping).
- Numbers are copied reliably: digits are split into groups of up to three, and every
  group 0..999 (leading zeros included) is a single token.
- The rest of the vocabulary is learned BPE merges over the training solutions.

    /usr/bin/python3 models/tokenizer/tokenizer.py --data models/work/train.jsonl --merges 700 --out models/work/tokenizer.json
"""
import argparse
import collections
import json
import re

SPECIALS = ['<|pad|>', '<|endoftext|>']
PAD_ID, EOS_ID = 0, 1
# Isolated pieces: a run of letters (with one leading space), up to 3 digits, a run of
# other symbols (with one leading space), or whitespace. Explicit classes, so Python
# and JavaScript split identically.
PIECE = r' ?[A-Za-z]+|[0-9]{1,3}| ?[^ \t\n\rA-Za-z0-9]+|[ \t\n\r]+'


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_CHAR = bytes_to_unicode()
CHAR_BYTE = {c: b for b, c in BYTE_CHAR.items()}


def pieces(text):
    return [''.join(BYTE_CHAR[b] for b in m.encode('utf-8')) for m in re.findall(PIECE, text)]


def number_merges():
    merges = []
    for a in '0123456789':
        for b in '0123456789':
            merges.append((a, b))
    for ab in (a + b for a in '0123456789' for b in '0123456789'):
        for c in '0123456789':
            merges.append((ab, c))
    # When "bc" merges before "ab" (e.g. "1","0","0" -> "1","00"), the group still ends as one token.
    for a in '0123456789':
        for bc in (b + c for b in '0123456789' for c in '0123456789'):
            merges.append((a, bc))
    return merges


def learn_merges(texts, count, start):
    words = collections.Counter(p for t in texts for p in pieces(t) if not p.isdigit())
    splits = {w: list(w) for w in words}
    merges = []
    existing = set(start)
    while len(merges) < count:
        pairs = collections.Counter()
        for w, freq in words.items():
            s = splits[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += freq
        if not pairs:
            break
        pair, freq = pairs.most_common(1)[0]
        if freq < 2:
            break
        merges.append(pair)
        existing.add(pair)
        merged = pair[0] + pair[1]
        for w in words:
            s = splits[w]
            i, out = 0, []
            while i < len(s):
                if i < len(s) - 1 and s[i] == pair[0] and s[i + 1] == pair[1]:
                    out.append(merged)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            splits[w] = out
    return merges


class Tokenizer:
    def __init__(self, spec):
        model = spec['model']
        self.vocab = model['vocab']
        self.inverse = {i: t for t, i in self.vocab.items()}
        for added in spec['added_tokens']:
            self.inverse[added['id']] = added['content']
        self.ranks = {tuple(m.split(' ')): i for i, m in enumerate(model['merges'])}
        self.cache = {}

    @classmethod
    def load(cls, path):
        with open(path) as fh:
            return cls(json.load(fh))

    def _bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        parts = list(piece)
        while len(parts) > 1:
            best, best_rank = None, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            parts = parts[:best] + [parts[best] + parts[best + 1]] + parts[best + 2:]
        ids = [self.vocab[p] for p in parts]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        return [i for p in pieces(text) for i in self._bpe(p)]

    def decode(self, ids):
        text = ''.join(self.inverse[i] for i in ids if i >= len(SPECIALS))
        return bytes(CHAR_BYTE[c] for c in text).decode('utf-8', errors='replace')

    @property
    def size(self):
        return len(self.inverse)


def build(texts, learned):
    vocab = {}
    for i, s in enumerate(SPECIALS):
        vocab[s] = i
    for b in range(256):
        vocab[BYTE_CHAR[b]] = len(vocab)
    merges = number_merges()
    merges += learn_merges(texts, learned, merges)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [
            {'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}
            for i, s in enumerate(SPECIALS)
        ],
        'normalizer': None,
        'pre_tokenizer': {
            'type': 'Sequence',
            'pretokenizers': [
                {'type': 'Split', 'pattern': {'Regex': PIECE}, 'behavior': 'Isolated', 'invert': False},
                {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
            ],
        },
        'post_processor': None,
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        'model': {
            'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
            'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
            'vocab': {k: v for k, v in vocab.items() if k not in SPECIALS},
            'merges': [f'{a} {b}' for a, b in merges],
        },
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--merges', type=int, default=700)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    texts = []
    with open(args.data) as fh:
        for i, line in enumerate(fh):
            if i >= 20000:
                break
            p = json.loads(line)
            texts.append(f"Question: {p['question']}\n\nSolution:\n\n{p['solution']}")
    spec = build(texts, args.merges)
    with open(args.out, 'w') as fh:
        json.dump(spec, fh, ensure_ascii=False)
    tok = Tokenizer(spec)
    sample = texts[0]
    assert tok.decode(tok.encode(sample)) == sample
    lengths = [len(tok.encode(t)) for t in texts[:2000]]
    print(f'vocab {tok.size}, mean tokens per solution {sum(lengths) / len(lengths):.1f}, max {max(lengths)}')


if __name__ == '__main__':
    main()
