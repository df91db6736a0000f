"""A small BPE tokenizer in the `tokenizers` JSON layout of ../shared/fixtures/tokenizer (README section 2).

Normalizer Replace(' ' -> '▁'), no pre-tokenizer, BPE with byte_fallback, <bos> prepended.
Vocabulary: 0 <pad>, 1 <eos>, 2 <bos>, 3 <unk>, 4..259 <0x00>..<0xFF>, single characters, merge results.

Training splits the normalized text into words `▁[^▁]*` (▁ only ever first), so no merge has a right
side that starts with ▁, and encoding the whole string (what `tokenizers` does without a
pre-tokenizer) equals encoding word by word, which is what `encode` does for speed.
"""
import collections
import json
import os
import re

SPECIALS = ['<pad>', '<eos>', '<bos>', '<unk>']
BOS = 2
SPACE = '\u2581'
_WORD = re.compile(SPACE + '[^' + SPACE + ']*|[^' + SPACE + ']+')


def normalize(text):
    return text.replace(' ', SPACE)


def words(text):
    return _WORD.findall(normalize(text))


def base_alphabet(text):
    """▁, newline, printable ASCII, plus every other character of the training text."""
    chars = {SPACE, '\n'} | {chr(c) for c in range(33, 127)} | set(normalize(text))
    return sorted(chars, key=lambda c: (c != SPACE, c))


def train(text, vocab_size):
    """-> (vocab dict token -> id, merges list of (a, b)); ties broken by the smallest pair."""
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[f'<0x{b:02X}>'] = len(vocab)
    for c in base_alphabet(text):
        vocab.setdefault(c, len(vocab))
    counts = collections.Counter(words(text))
    seqs = [list(w) for w in counts]
    freq = list(counts.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, s in enumerate(seqs):
        for a, b in zip(s, s[1:]):
            pairs[(a, b)] += freq[i]
            where[(a, b)].add(i)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        new = best[0] + best[1]
        assert not re.fullmatch(r'<0x[0-9A-F]{2}>', new) and new not in SPECIALS, new
        merges.append(best)
        vocab.setdefault(new, len(vocab))
        for i in list(where[best]):
            s, f = seqs[i], freq[i]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] -= f
                if pairs[(a, b)] <= 0:
                    del pairs[(a, b)]
            out, k = [], 0
            while k < len(s):
                if k + 1 < len(s) and s[k] == best[0] and s[k + 1] == best[1]:
                    out.append(new)
                    k += 2
                else:
                    out.append(s[k])
                    k += 1
            seqs[i] = out
            for a, b in zip(out, out[1:]):
                pairs[(a, b)] += f
                where[(a, b)].add(i)
        del where[best]
    return vocab, merges


class Encoder:
    """Lowest-rank merge first, leftmost on ties; unknown characters go to UTF-8 byte tokens."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inv = {i: t for t, i in vocab.items()}
        self.rank = {tuple(m): r for r, m in enumerate(merges)}
        self.cache = {}

    def _word(self, w):
        s = list(w)
        while len(s) > 1:
            best, at = None, -1
            for k in range(len(s) - 1):
                r = self.rank.get((s[k], s[k + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, k
            if best is None:
                break
            s[at:at + 2] = [s[at] + s[at + 1]]
        ids = []
        for t in s:
            if t in self.vocab:
                ids.append(self.vocab[t])
            else:
                ids.extend(self.vocab[f'<0x{b:02X}>'] for b in t.encode('utf-8'))
        return ids

    def encode(self, text, bos=True):
        ids = [BOS] if bos else []
        for w in words(text):
            if w not in self.cache:
                self.cache[w] = self._word(w)
            ids.extend(self.cache[w])
        return ids

    def decode(self, ids):
        out, pending = [], bytearray()
        for i in ids:
            if i < len(SPECIALS):
                continue
            t = self.inv[i]
            m = re.fullmatch(r'<0x([0-9A-F]{2})>', t)
            if m:
                pending.append(int(m.group(1), 16))
                continue
            if pending:
                out.append(pending.decode('utf-8', errors='replace'))
                pending = bytearray()
            out.append(t.replace(SPACE, ' '))
        if pending:
            out.append(pending.decode('utf-8', errors='replace'))
        return ''.join(out)


def tokenizer_json(vocab, merges):
    """The fixtures' tokenizer.json structure with this vocabulary and merges."""
    added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, t in enumerate(SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'Replace', 'pattern': {'String': ' '}, 'content': SPACE},
        'pre_tokenizer': None,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<bos>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<bos>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<bos>', 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<bos>': {'id': '<bos>', 'ids': [BOS], 'tokens': ['<bos>']}},
        },
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': SPACE}, 'content': ' '},
            {'type': 'ByteFallback'}, {'type': 'Fuse'}]},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<unk>', 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': True, 'byte_fallback': True,
                  'vocab': vocab, 'merges': [f'{a} {b}' for a, b in merges]},
    }


def write_tokenizer(folder, vocab, merges, max_length):
    os.makedirs(folder, exist_ok=True)
    decoder = {str(i): {'content': t, 'lstrip': False, 'normalized': False, 'rstrip': False,
                        'single_word': False, 'special': True} for i, t in enumerate(SPECIALS)}
    config = {
        'add_bos_token': True, 'add_eos_token': False, 'bos_token': '<bos>', 'eos_token': '<eos>',
        'pad_token': '<pad>', 'unk_token': '<unk>', 'clean_up_tokenization_spaces': False,
        'model_max_length': max_length, 'padding_side': 'left', 'spaces_between_special_tokens': False,
        'tokenizer_class': 'GemmaTokenizer', 'added_tokens_decoder': decoder,
    }
    smap = {'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>', 'unk_token': '<unk>'}
    for name, obj in (('tokenizer.json', tokenizer_json(vocab, merges)), ('tokenizer_config.json', config),
                      ('special_tokens_map.json', smap)):
        with open(os.path.join(folder, name), 'w', encoding='utf-8') as f:
            json.dump(obj, f, ensure_ascii=False, indent=None if name == 'tokenizer.json' else 2)
            f.write('\n')


def load_tokenizer(folder):
    """tokenizer.json -> Encoder (used to check this encoder on the fixtures' expected.json)."""
    t = json.load(open(os.path.join(folder, 'tokenizer.json'), encoding='utf-8'))
    merges = [tuple(m.split(' ')) if isinstance(m, str) else tuple(m) for m in t['model']['merges']]
    return Encoder(t['model']['vocab'], merges)
