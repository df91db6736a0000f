"""The demo's two text distributions, read from Debian packages.

base:      King James Bible (`bible-kjv-text`, read through `bible` from `bible-kjv`), one verse a line.
fine-tune: GCIDE (`dict-gcide`: Webster's 1913 + WordNet), one cleaned dictionary entry a line.
"""
import gzip
import random
import re
import subprocess

GCIDE = '/usr/share/dictd/gcide.dict.dz'
HELD_OUT_EVERY = 50    # base: verse i is held out when i % 50 == 7


def kjv_verses():
    """All 31102 verses in canonical order, without chapter headings or verse numbers."""
    raw = subprocess.run(['bible', '-l', '100000', 'Ge1:1-Re22:21'], check=True,
                         capture_output=True, text=True).stdout
    verses = [m.group(1) for m in re.finditer(r'^  \d+ (.+)$', raw, flags=re.M)]
    assert len(verses) == 31102, len(verses)
    return verses


def split_kjv(verses):
    """-> (train verses, held-out verses); held-out = every 50th verse (offset 7), spread over all books."""
    train = [v for i, v in enumerate(verses) if i % HELD_OUT_EVERY != 7]
    held = [v for i, v in enumerate(verses) if i % HELD_OUT_EVERY == 7]
    return train, held


_SOURCE_TAG = re.compile(r'\[(?:1913 Webster|WordNet 1\.5|PJC|RHW|Century Dict\.|Webster 1828|NPEG|MW10|'
                         r'Chambers 1728|Pre-1923 .*?|[A-Z][A-Za-z0-9 .\-]{0,20}\d{4}.*?)\]')


def clean_entry(text):
    """One raw GCIDE entry -> one line: no source tags, pronunciation markup or braces."""
    text = _SOURCE_TAG.sub(' ', text)
    text = re.sub(r'\\[^\\\n]*\\', ' ', text, count=1)       # \Pro*nun"ci*a`tion\ after the headword
    text = re.sub(r'\([a-z\[\]"\'`~^=.,:;*\- ]*\)', ' ', text, count=1)   # (b[imac]"b'l) respelling
    text = text.replace('{', '').replace('}', '')
    text = re.sub(r'\s+', ' ', text).strip()
    text = re.sub(r' ([,.;:])', r'\1', text)
    return text


def gcide_entries():
    """Cleaned entries in file order; entries start at a non-indented line."""
    raw = gzip.open(GCIDE).read().decode('utf-8', errors='replace')
    entries, cur = [], []
    for line in raw.split('\n'):
        if line and not line[0].isspace() and cur:
            entries.append('\n'.join(cur))
            cur = []
        if line or cur:
            cur.append(line)
    if cur:
        entries.append('\n'.join(cur))
    out = []
    for e in entries:
        if e.startswith('00-database') or '\ufffd' in e:
            continue
        c = clean_entry(e)
        # keep entries that define something and are plain ASCII prose
        if 40 <= len(c) <= 600 and c.isascii() and ' ' in c:
            out.append(c)
    return out


def split_gcide(entries, seed, train_bytes, held_bytes):
    """Seeded shuffle, then the first entries up to train_bytes for fine-tuning and the next for held-out."""
    order = list(range(len(entries)))
    random.Random(seed).shuffle(order)
    train, held, n = [], [], 0
    for i in order:
        e = entries[i]
        if n < train_bytes:
            train.append(e)
        elif n < train_bytes + held_bytes:
            held.append(e)
        else:
            break
        n += len(e) + 1
    return train, held
