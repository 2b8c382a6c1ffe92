"""RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, proofs and their verification.

Pure functions over bytes: no database, no application. A leaf's hash is SHA-256(0x00 ‖ data), an inner
node's SHA-256(0x01 ‖ left ‖ right); the tree of n leaves splits at k, the largest power of two below n
(section 2.1.1). Proofs are lists of 32-byte hashes: the inclusion proof's PATH (2.1.3.1) and the
consistency proof's PROOF (2.1.4.1); the verifiers are the algorithms of 2.1.3.2 and 2.1.4.2, written so
that anything but the exact proof (a flipped bit, a wrong index or size, a missing or extra element, another
root) answers False.
"""
import hashlib

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: list[bytes]) -> bytes:
    """MTH of the leaves whose leaf hashes are ``hashes`` (computed bottom-up, O(n) hashes, O(log n) stack)."""
    if not hashes:
        return EMPTY_ROOT
    # a stack of (height, hash) of perfect subtrees, merged as in an incremental log; the remainder is folded
    # right to left at the end, which is exactly RFC 9162's split at the largest power of two
    stack: list[tuple[int, bytes]] = []
    for h in hashes:
        height, node = 0, h
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
    return node


def prefix_roots(hashes: list[bytes], sizes: list[int]) -> dict[int, bytes]:
    """The roots of the first ``size`` leaves for each of ``sizes``, in one pass (O(n + len(sizes) log n))."""
    wanted = set(sizes)
    found = {0: EMPTY_ROOT} if 0 in wanted else {}
    stack: list[tuple[int, bytes]] = []
    for count, h in enumerate(hashes, 1):
        height, node = 0, h
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
        if count in wanted:
            folded = stack[-1][1]
            for _height, left in reversed(stack[:-1]):
                folded = node_hash(left, folded)
            found[count] = folded
    return found


def inclusion_proof(index: int, hashes: list[bytes]) -> list[bytes]:
    """PATH(index, D[0:n]) of RFC 9162 2.1.3.1, leaf hashes given."""
    n = len(hashes)
    if not 0 <= index < n:
        raise ValueError("index outside the tree")
    proof: list[bytes] = []
    lo, hi = 0, n  # the subtree D[lo:hi] holding the leaf
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            proof.append(root(hashes[lo + k:hi]))
            hi = lo + k
        else:
            proof.append(root(hashes[lo:lo + k]))
            lo = lo + k
    proof.reverse()  # the path is listed from the leaf up
    return proof


def consistency_proof(m: int, hashes: list[bytes]) -> list[bytes]:
    """PROOF(m, D[0:n]) of RFC 9162 2.1.4.1: that the tree of the first m leaves is a prefix of this one."""
    n = len(hashes)
    if not 0 < m <= n:
        raise ValueError("size outside the tree")
    return _subproof(m, hashes, True)


def _subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root(hashes)]
    k = _split(n)
    if m <= k:
        return _subproof(m, hashes[:k], complete) + [root(hashes[k:])]
    return _subproof(m - k, hashes[k:], False) + [root(hashes[:k])]


def _valid(proof) -> bool:
    return all(isinstance(p, bytes) and len(p) == HASH_SIZE for p in proof)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether ``leaf`` (a leaf hash) is at ``index`` of the tree of ``size`` with that root."""
    if not (isinstance(index, int) and isinstance(size, int)) or not 0 <= index < size or not _valid(proof):
        return False
    if len(leaf) != HASH_SIZE:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False  # a padded proof
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether the tree of size ``first`` with ``first_root`` is a prefix of the tree of size
    ``second`` with ``second_root``. Equal sizes need an empty proof and equal roots; size 0 is consistent
    with anything (an empty proof)."""
    if not (isinstance(first, int) and isinstance(second, int)) or not 0 <= first <= second or not _valid(proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree's root is the proof's implicit first element
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


MEMO_MIN = 256  # complete subtrees of at least this many leaves are remembered (about n / 128 entries)


class Tree:
    """An append-only tree of leaf hashes that remembers its complete, aligned subtrees (which an append never
    changes), so a root or a proof costs O(log² n) hashes once warm instead of O(n). Same answers as the
    functions above (tests/evidence/test_merkle.py checks every size up to 70)."""

    def __init__(self, leaves: list[bytes] | None = None, memo: dict | None = None):
        self.leaves = list(leaves or [])
        self._memo = dict(memo or {})

    def __len__(self):
        return len(self.leaves)

    def extend(self, hashes) -> None:
        self.leaves.extend(hashes)

    def extended(self, hashes) -> "Tree":
        """A copy with more leaves (the memo's entries stay valid: they cover complete subtrees only)."""
        tree = Tree(self.leaves, self._memo)
        tree.extend(hashes)
        return tree

    def subtree(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return self.leaves[lo]
        complete = n & (n - 1) == 0 and lo % n == 0
        if complete and n >= MEMO_MIN:
            found = self._memo.get((lo, n))
            if found is None:
                k = n // 2
                found = self._memo[(lo, n)] = node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))
            return found
        if complete or n < MEMO_MIN:
            return root(self.leaves[lo:hi])
        k = _split(n)
        return node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        size = len(self.leaves) if size is None else size
        if not 0 <= size <= len(self.leaves):
            raise ValueError("size outside the tree")
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size <= len(self.leaves):
            raise ValueError("index outside the tree")
        proof, lo, hi = [], 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index - lo < k:
                proof.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.subtree(lo, lo + k))
                lo = lo + k
        proof.reverse()
        return proof

    def consistency_proof(self, m: int, size: int) -> list[bytes]:
        if not 0 < m <= size <= len(self.leaves):
            raise ValueError("size outside the tree")
        return self._subproof(m, 0, size, True)

    def _subproof(self, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [self.subtree(lo, hi)]
        k = _split(n)
        if m <= k:
            return self._subproof(m, lo, lo + k, complete) + [self.subtree(lo + k, hi)]
        return self._subproof(m - k, lo + k, hi, False) + [self.subtree(lo, lo + k)]
