"""
tokenizer.model (a sentencepiece ModelProto) -> tokenizer.json (Hugging Face tokenizers), as
transformers' LlamaConverter does it for BPE models with byte fallback (Llama, Mistral, Llemma):
normalizer Prepend("▁") + Replace(" ", "▁"), BPE with merges ordered by the merged piece's score,
byte fallback, and the decoder that undoes it. The protobuf is parsed by hand (wire format:
varint keys, length-delimited fields); only the fields used here are read.

    /usr/bin/python3 models/convert/sentencepiece.py path/to/tokenizer.model out/tokenizer.json
"""
import json
import struct
import sys

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def _varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def _fields(buf):
    """Yields (field number, wire type, value) of one message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f'unsupported protobuf wire type {wire}')
        yield field, wire, v


def read_model(path):
    """pieces [(piece, score, type)], trainer model_type (1 unigram, 2 bpe), add_dummy_prefix, byte_fallback."""
    with open(path, 'rb') as fh:
        buf = fh.read()
    pieces, model_type, dummy, byte_fallback = [], 1, True, False
    for field, wire, v in _fields(buf):
        if field == 1 and wire == 2:  # SentencePiece
            piece, score, kind = '', 0.0, NORMAL
            for f, w, x in _fields(v):
                if f == 1:
                    piece = bytes(x).decode('utf-8')
                elif f == 2:
                    score = struct.unpack('<f', x)[0]
                elif f == 3:
                    kind = x
            pieces.append((piece, score, kind))
        elif field == 2 and wire == 2:  # TrainerSpec
            for f, w, x in _fields(v):
                if f == 3:
                    model_type = x
                elif f == 35:
                    byte_fallback = bool(x)
        elif field == 3 and wire == 2:  # NormalizerSpec
            for f, w, x in _fields(v):
                if f == 3:
                    dummy = bool(x)
    return pieces, model_type, dummy, byte_fallback


def to_tokenizer_json(path, add_bos=True):
    pieces, model_type, dummy, byte_fallback = read_model(path)
    if model_type != 2:
        raise ValueError(f'{path}: sentencepiece model type {model_type} is not BPE (2); only BPE tokenizer.model files are converted')
    vocab = {p: i for i, (p, _, _) in enumerate(pieces)}
    # Merges: every split of a piece into two pieces of the vocabulary, ordered by the merged piece's
    # score (then by the ids of its halves) -- sentencepiece BPE merges the pair whose result scores highest.
    merges = []
    for piece, score, kind in pieces:
        if kind != NORMAL:
            continue
        local = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        local.sort(key=lambda ab: (vocab[ab[0]], vocab[ab[1]]))
        merges += [(a, b, score) for a, b in local]
    merges.sort(key=lambda m: -m[2])  # stable: ties keep the order above
    unk = next((p for p, _, k in pieces if k == UNKNOWN), None)
    added = [{'id': i, 'content': p, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False,
              'special': k != USER_DEFINED} for i, (p, _, k) in enumerate(pieces) if k in (UNKNOWN, CONTROL, USER_DEFINED)]
    bos = next((p for p, _, k in pieces if k == CONTROL and p in ('<s>', '<|begin_of_text|>')), None)
    normalizers = ([{'type': 'Prepend', 'prepend': '▁'}] if dummy else []) + [{'type': 'Replace', 'pattern': {'String': ' '}, 'content': '▁'}]
    tok = {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'Sequence', 'normalizers': normalizers},
        'pre_tokenizer': None,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': ([{'SpecialToken': {'id': bos, 'type_id': 0}}] if add_bos and bos else []) + [{'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': ([{'SpecialToken': {'id': bos, 'type_id': 0}}] if add_bos and bos else []) + [{'Sequence': {'id': 'A', 'type_id': 0}}]
            + ([{'SpecialToken': {'id': bos, 'type_id': 1}}] if add_bos and bos else []) + [{'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {bos: {'id': bos, 'ids': [vocab[bos]], 'tokens': [bos]}} if add_bos and bos else {},
        },
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': '▁'}, 'content': ' '}, {'type': 'ByteFallback'}, {'type': 'Fuse'}]
            + ([{'type': 'Strip', 'content': ' ', 'start': 1, 'stop': 0}] if dummy else [])},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': unk, 'continuing_subword_prefix': None, 'end_of_word_suffix': None,
                  'fuse_unk': True, 'byte_fallback': byte_fallback, 'ignore_merges': False,
                  'vocab': vocab, 'merges': [[a, b] for a, b, _ in merges]},
    }
    special = {k: next((p for p, _, t in pieces if t in (CONTROL, UNKNOWN) and p == name), None)
               for k, name in (('bos_token', '<s>'), ('eos_token', '</s>'), ('unk_token', '<unk>'))}
    return tok, special


def encode_bpe(path, text):
    """Reference sentencepiece BPE encoding (the algorithm of sentencepiece's bpe_model.cc, no sampling):
    used by the tests as the source tokenizer's ids."""
    pieces, _, dummy, byte_fallback = read_model(path)
    score = {p: s for p, s, k in pieces if k in (NORMAL, USER_DEFINED)}
    ids = {p: i for i, (p, _, _) in enumerate(pieces)}
    s = ('▁' if dummy else '') + text.replace(' ', '▁')
    sym = list(s)
    while True:
        best, at = None, -1
        for i in range(len(sym) - 1):
            m = sym[i] + sym[i + 1]
            if m in score and (best is None or score[m] > best):
                best, at = score[m], i
        if at < 0:
            break
        sym[at:at + 2] = [sym[at] + sym[at + 1]]
    out = []
    for p in sym:
        if p in ids:
            out.append(ids[p])
        elif byte_fallback:
            out += [ids[f'<0x{b:02X}>'] for b in p.encode('utf-8')]
        else:
            out.append(next(i for i, (_, _, k) in enumerate(pieces) if k == UNKNOWN))
    return out


if __name__ == '__main__':
    tok, _ = to_tokenizer_json(sys.argv[1])
    with open(sys.argv[2], 'w') as fh:
        json.dump(tok, fh, ensure_ascii=False)
