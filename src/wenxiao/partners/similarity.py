"""Template-report detection: near-duplicate evaluation reports and the passages they share (R41, R44).

A third party that copies one report into the next ("套模板") changes the unit's name, the figures and a few
sentences. To catch that among thousands of reports of any agency, this module uses shingling, MinHash and
LSH. It needs only the standard library (numpy is not a dependency of the project):

1. **Normalise.** NFKC (full-width → half-width), lower case, then letters only. Whitespace, punctuation,
   digits and symbols are dropped, so a copy with new amounts, dates, numbering or layout still matches.
2. **Shingle.** Every run of `K` = 7 consecutive normalised characters (UTF-16 code units, so a rare
   character outside the BMP counts as two). A Chinese character carries about one morpheme, so 7 characters
   are 3–4 words: long enough that the stock phrases every evaluation report uses (绩效评价, 预算执行率 …) add
   little to the overlap of unrelated reports, short enough that one edited sentence spoils only the
   shingles around it. Each shingle is kept as the integer of its 14 UTF-16 bytes, an exact (injective) code,
   so the Jaccard similarity computed on these integers is exact. A text shorter than `K` is one shingle.
3. **Sign.** One-permutation MinHash (Li, Owen & Zhang 2012) with `NUM_PERM` = 128 bins: one strongly
   universal hash `h(x) = ((A·x + B) mod (2¹²⁷ − 1)) >> 64` with fixed constants (so a signature is the same in
   every process and can be stored), bin = the low 7 bits of `h`, and the signature holds the smallest `h` of
   each bin. Empty bins (texts of fewer than a few hundred characters) borrow from a donor bin chosen by a fixed
   hash sequence ("optimal densification", Shrivastava 2017), which keeps P[equal entry] = Jaccard. One pass
   over the shingles instead of 128 makes a 20,000-character report cost a few milliseconds.
4. **Band.** The signature is cut into `b` bands of `r` rows; two reports whose rows agree in any band are a
   candidate pair. `r` is the largest number that still gives a pair at the threshold a 99% chance to become a
   candidate (threshold 0.5 → 42 bands of 3 rows; a pair at Jaccard 0.1 becomes a candidate with ≈ 4%).
5. **Verify.** Candidates whose signatures agree on fewer than `threshold − 0.2` of the entries (≥ 4.5σ of the
   estimate below the threshold) are dropped; the rest get the exact Jaccard similarity of their shingle sets.

`shared_passages()` then shows the user what a flagged pair has in common, in the words of the first report.
"""

from __future__ import annotations

import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

K = 7  # shingle length in normalised characters
NUM_PERM = 128  # signature length (bins of the one-permutation MinHash); a power of two
RECALL = 0.99  # chance that a pair exactly at the threshold becomes an LSH candidate
MARGIN = 0.2  # candidates whose estimate is this far below the threshold are not verified
ANCHOR = 8  # shared_passages: length of the exact seed a common passage grows from
MAX_CANDIDATES = 32  # shared_passages: occurrences of one seed in the second text that are tried

_P = (1 << 127) - 1  # Mersenne prime; shingle integers (≤ 112 bits) are below it
_A = 0x579BCCF499B1D244A573942498A4A201  # fixed: random.Random(20250101), never to change (stored signatures)
_B = 0x569B080FAF4EF616D452341F19D9DE2B
_BIN = NUM_PERM - 1
EMPTY = 1 << 63  # signature entry of a text without letters; every hash value is below it


class _Letters(dict):
    """str.translate table: a character → its NFKC, lower-cased letters ("" drops it); filled on first use."""

    def __missing__(self, code: int) -> str:
        out = "".join(c for c in unicodedata.normalize("NFKC", chr(code)).lower() if c.isalpha())
        self[code] = out
        return out


_LETTERS = _Letters()


def normalise(text: str) -> str:
    """The letters of `text`: full-width folded to half-width, lower case; no spaces, punctuation or digits."""
    return text.translate(_LETTERS) if text else ""


def shingles(text: str) -> set[int]:
    """The set of `K`-character shingles of the normalised text, each as an exact integer code."""
    data = normalise(text).encode("utf-16-le")
    width = 2 * K
    if len(data) <= width:
        return {int.from_bytes(data, "little")} if data else set()
    fb = int.from_bytes
    return {fb(data[i : i + width], "little") for i in range(0, len(data) - width + 1, 2)}


def _hash(x: int) -> int:
    return ((x * _A + _B) % _P) >> 64


def _minhash(codes: set[int]) -> tuple[int, ...]:
    if not codes:
        return (EMPTY,) * NUM_PERM
    hashes = [((x * _A + _B) % _P) >> 64 for x in codes]
    sig = [EMPTY] * NUM_PERM
    missing = NUM_PERM

    def fill(values):
        nonlocal missing
        for h in sorted(values):  # ascending: the first value met in a bin is its minimum
            b = h & _BIN
            if sig[b] == EMPTY:
                sig[b] = h
                missing -= 1
                if not missing:
                    return

    n = len(hashes)
    if n > 16 * NUM_PERM:  # about 16 values a bin fall below the cut; all bins are filled with near certainty
        cut = (EMPTY * 16 * NUM_PERM) // n
        fill(h for h in hashes if h < cut)
        if missing:
            fill(h for h in hashes if h >= cut)
    else:
        fill(hashes)
    if missing:
        filled = [b for b in range(NUM_PERM) if sig[b] != EMPTY]
        own = tuple(sig)  # donors are bins filled by the text itself, never by densification
        for b in range(NUM_PERM):
            if own[b] == EMPTY:
                sig[b] = own[_donor(b, own, filled)]
    return tuple(sig)


def _donor(b: int, own: tuple[int, ...], filled: list[int]) -> int:
    """The bin an empty bin borrows from: the first non-empty one of a fixed pseudo-random sequence for `b`."""
    for attempt in range(1, 8 * NUM_PERM):
        d = _hash((b << 32) | attempt) & _BIN
        if own[d] != EMPTY:
            return d
    return filled[b % len(filled)]


def signature(text: str) -> tuple[int, ...]:
    """The MinHash signature of a report: `NUM_PERM` integers below 2⁶³ (they fit a signed 64-bit column).

    Equal entries of two signatures estimate their Jaccard similarity; a text without letters gets `EMPTY`
    everywhere and is never similar to anything.
    """
    return _minhash(shingles(text))


def estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The Jaccard similarity estimated from two signatures (the share of equal entries)."""
    if not a or a[0] == EMPTY or b[0] == EMPTY:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def jaccard_sets(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def jaccard(a_text: str, b_text: str) -> float:
    """The exact Jaccard similarity of the shingle sets of two texts (0 when either has no letters)."""
    return jaccard_sets(shingles(a_text), shingles(b_text))


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows): the most rows per band that still catch a pair at `threshold` with chance `RECALL`."""
    if not 0 < threshold <= 1:
        raise ValueError(f"相似度阈值应在 0 到 1 之间（不含 0），实际为 {threshold}")
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= RECALL:
            return bands, rows
    return num_perm, 1


@dataclass(frozen=True)
class Pair:
    """Two reports, keyed as in the input, `a` before `b` in the input's order; exact Jaccard similarity."""

    a: Hashable
    b: Hashable
    similarity: float


def candidate_pairs(signatures: list[tuple[int, ...]], threshold: float) -> set[tuple[int, int]]:
    """Index pairs (i < j) of signatures sharing at least one LSH band; signatures of empty texts are skipped."""
    bands, rows = bands_for(threshold, len(signatures[0]) if signatures else NUM_PERM)
    out: set[tuple[int, int]] = set()
    for band in range(bands):
        lo, hi = band * rows, (band + 1) * rows
        buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i, sig in enumerate(signatures):
            if sig[0] != EMPTY:
                buckets[sig[lo:hi]].append(i)
        for members in buckets.values():
            if len(members) > 1:
                out.update((x, y) for n, x in enumerate(members) for y in members[n + 1 :])
    return out


def similar_pairs(
    docs: Mapping[Hashable, str],
    threshold: float = 0.5,
    *,
    signatures: Mapping[Hashable, tuple[int, ...]] | None = None,
    cache_size: int = 64,
) -> list[Pair]:
    """Pairs of reports whose shingle sets have a Jaccard similarity ≥ `threshold`, most similar first.

    `docs` maps any key (a report id) to the report's text. `signatures` may hold signatures stored when the
    reports were received (`signature(text)`); missing ones are computed. LSH on the signatures finds the
    candidates; each candidate is verified on the exact shingle sets, recomputed for the reports concerned and
    kept in a small LRU cache (`cache_size` reports) so memory stays flat for thousands of long reports.
    """
    keys = list(docs)
    texts = [docs[k] or "" for k in keys]
    stored = signatures or {}
    sigs = [tuple(stored[k]) if k in stored else signature(t) for k, t in zip(keys, texts, strict=True)]
    if any(len(s) != NUM_PERM for s in sigs):
        raise ValueError(f"签名长度应为{NUM_PERM}")
    floor = threshold - MARGIN
    cache: OrderedDict[int, set[int]] = OrderedDict()

    def codes(i: int) -> set[int]:
        if i in cache:
            cache.move_to_end(i)
            return cache[i]
        cache[i] = found = shingles(texts[i])
        if len(cache) > cache_size:
            cache.popitem(last=False)
        return found

    out = []
    for i, j in sorted(candidate_pairs(sigs, threshold)):
        if estimate(sigs[i], sigs[j]) < floor:
            continue
        sim = jaccard_sets(codes(i), codes(j))
        if sim >= threshold:
            out.append((-sim, i, j))
    out.sort()
    return [Pair(keys[i], keys[j], round(-neg, 4)) for neg, i, j in out]


def _letters_with_positions(text: str) -> tuple[str, list[int]]:
    """normalise(text) and, for each of its characters, the index in `text` it comes from."""
    parts, where = [], []
    for p, ch in enumerate(text):
        out = _LETTERS[ord(ch)]
        if out:
            parts.append(out)
            where.extend([p] * len(out))
    return "".join(parts), where


def _common_length(a: str, i: int, b: str, j: int, known: int) -> int:
    """Length of the common prefix of a[i:] and b[j:], knowing the first `known` characters agree."""
    length, limit, step = known, min(len(a) - i, len(b) - j), 32
    while length < limit:
        s = min(step, limit - length)
        if a[i + length : i + length + s] == b[j + length : j + length + s]:
            length += s
            step *= 2
        elif s == 1:
            break
        else:
            step = max(1, s // 2)
    return length


def shared_passages(a_text: str, b_text: str, min_chars: int = 30, *, max_gap: int = 10) -> list[str]:
    """The passages of `a_text` that also occur in `b_text`, longest first, as they are written in `a_text`.

    Matching runs on the normalised texts (letters only), so punctuation, digits and spacing may differ. Exact
    common runs grow from `ANCHOR`-character seeds; runs that follow each other in both texts with at most
    `max_gap` differing characters between them (a replaced name, a changed word) merge into one passage.
    A passage is returned when it has at least `min_chars` common normalised characters.
    """
    a, where = _letters_with_positions(a_text)
    b = normalise(b_text)
    seed = max(1, min(ANCHOR, min_chars))
    if len(a) < seed or len(b) < seed:
        return []
    index: dict[str, list[int]] = defaultdict(list)
    for j in range(len(b) - seed + 1):
        spots = index[b[j : j + seed]]
        if len(spots) < MAX_CANDIDATES:
            spots.append(j)

    runs: list[tuple[int, int, int]] = []  # (start in a, start in b, length)
    i = 0
    while i <= len(a) - seed:
        spots = index.get(a[i : i + seed])
        if not spots:
            i += 1
            continue
        best, best_j = 0, 0
        for j in spots:
            length = _common_length(a, i, b, j, seed)
            if length > best:
                best, best_j = length, j
        runs.append((i, best_j, best))
        i += best

    passages: list[tuple[int, int, int]] = []  # (common characters, start in a, end in a)
    start = end_a = end_b = common = -1
    for i, j, length in runs:
        if common >= 0 and i - end_a <= max_gap and 0 <= j - end_b <= max_gap:
            end_a, end_b, common = i + length, j + length, common + length
            continue
        if common >= 0:
            passages.append((common, start, end_a))
        start, end_a, end_b, common = i, i + length, j + length, length
    if common >= 0:
        passages.append((common, start, end_a))

    out: dict[str, None] = {}
    for _, s, e in sorted((p for p in passages if p[0] >= min_chars), key=lambda p: (-p[0], p[1])):
        out.setdefault(a_text[where[s] : where[e - 1] + 1].strip(), None)
    return list(out)
