"""RFC 9162 Merkle trees (evidence/merkle.py): known answers, an independent implementation, corruption probes."""
import itertools

import pytest

from evidence import merkle

# The RFC 6962/9162 reference vectors (certificate-transparency's merkle_tree_test): eight leaf inputs and
# the roots of their first n leaves, proofs of the 8-leaf tree.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_0_OF_8 = ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]
CONSISTENCY = {
    (1, 8): INCLUSION_0_OF_8,
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def test_known_roots():
    for n, expected in enumerate(ROOTS):
        assert merkle.root(HASHES[:n]).hex() == expected
    assert merkle.prefix_roots(HASHES, list(range(9))) == {n: bytes.fromhex(r) for n, r in enumerate(ROOTS)}


def test_known_proofs():
    assert [p.hex() for p in merkle.inclusion_proof(0, HASHES)] == INCLUSION_0_OF_8
    for (m, n), expected in CONSISTENCY.items():
        proof = merkle.consistency_proof(m, HASHES[:n])
        assert [p.hex() for p in proof] == expected
        assert merkle.verify_consistency(m, n, bytes.fromhex(ROOTS[m]), bytes.fromhex(ROOTS[n]), proof)


def test_every_proof_of_small_trees_verifies():
    data = [i.to_bytes(2, "big") for i in range(33)]
    hashes = [merkle.leaf_hash(d) for d in data]
    for n in range(1, 34):
        root = merkle.root(hashes[:n])
        for i in range(n):
            assert merkle.verify_inclusion(i, n, hashes[i], merkle.inclusion_proof(i, hashes[:n]), root)
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            assert merkle.verify_consistency(m, n, merkle.root(hashes[:m]), root, proof)


def test_cross_checked_with_pymerkle():
    """pymerkle (RFC 9162 hashing with the 0x00/0x01 prefixes) agrees on every root and inclusion path."""
    pymerkle = pytest.importorskip("pymerkle")
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    data = [f"leaf {i}".encode() for i in range(40)]
    hashes = [merkle.leaf_hash(d) for d in data]
    for d in data:
        tree.append_entry(d)
    for n in range(1, 41):
        assert tree.get_root(n) == merkle.root(hashes[:n])
        for i in range(n):
            theirs = tree.prove_inclusion(i + 1, n)
            assert theirs.path[0] == hashes[i] and theirs.path[1:] == merkle.inclusion_proof(i, hashes[:n])
            pymerkle.verify_inclusion(hashes[i], tree.get_root(n), theirs)  # raises when invalid
        for m in range(1, n):
            theirs = tree.prove_consistency(m, n)
            pymerkle.verify_consistency(tree.get_root(m), tree.get_root(n), theirs)
            assert merkle.verify_consistency(m, n, tree.get_root(m), tree.get_root(n),
                                             merkle.consistency_proof(m, hashes[:n]))


def _flips(value: bytes):
    for byte, bit in itertools.product(range(len(value)), range(8)):
        yield value[:byte] + bytes([value[byte] ^ (1 << bit)]) + value[byte + 1:]


def test_inclusion_corruption_probes():
    data = [f"x{i}".encode() for i in range(13)]
    hashes = [merkle.leaf_hash(d) for d in data]
    n, i = 13, 6
    root = merkle.root(hashes)
    proof = merkle.inclusion_proof(i, hashes)
    assert merkle.verify_inclusion(i, n, hashes[i], proof, root)
    # a flipped bit in the leaf's data, its hash, any proof element, the root
    assert all(not merkle.verify_inclusion(i, n, merkle.leaf_hash(d), proof, root) for d in _flips(data[i]))
    assert all(not merkle.verify_inclusion(i, n, h, proof, root) for h in _flips(hashes[i]))
    for k in range(len(proof)):
        assert all(not merkle.verify_inclusion(i, n, hashes[i], proof[:k] + [p] + proof[k + 1:], root)
                   for p in _flips(proof[k]))
    assert all(not merkle.verify_inclusion(i, n, hashes[i], proof, r) for r in _flips(root))
    # a wrong index or size
    assert all(not merkle.verify_inclusion(j, n, hashes[i], proof, root) for j in range(-1, n + 2) if j != i)
    # the path alone fixes the size only up to the subtrees it crosses (for index 6 of 13, sizes 9..16 take the
    # same turns): the size is bound by the signed checkpoint (tests/evidence/test_deposits.py); the last leaf's
    # path fixes it exactly
    last = merkle.inclusion_proof(12, hashes)
    assert all(not merkle.verify_inclusion(12, m, hashes[12], last, root) for m in range(0, 40) if m != n)
    assert all(not merkle.verify_inclusion(i, m, hashes[i], proof, root) for m in [*range(0, 9), *range(17, 40)])
    # a truncated or padded proof, elements swapped, another tree's root
    assert not merkle.verify_inclusion(i, n, hashes[i], proof[:-1], root)
    assert not merkle.verify_inclusion(i, n, hashes[i], proof[1:], root)
    assert not merkle.verify_inclusion(i, n, hashes[i], proof + [proof[0]], root)
    assert not merkle.verify_inclusion(i, n, hashes[i], [proof[0]] + proof, root)
    assert not merkle.verify_inclusion(i, n, hashes[i], proof[::-1], root)
    assert not merkle.verify_inclusion(i, n, hashes[i], proof, merkle.root(hashes[:12]))
    assert not merkle.verify_inclusion(i, n, hashes[i], proof + [b"\x00" * 31], root)
    assert not merkle.verify_inclusion(i, n, hashes[i], [p + b"\x00" for p in proof], root)


def test_consistency_corruption_probes():
    hashes = [merkle.leaf_hash(f"y{i}".encode()) for i in range(21)]
    m, n = 7, 21
    first, second = merkle.root(hashes[:m]), merkle.root(hashes)
    proof = merkle.consistency_proof(m, hashes)
    assert merkle.verify_consistency(m, n, first, second, proof)
    for k in range(len(proof)):
        assert all(not merkle.verify_consistency(m, n, first, second, proof[:k] + [p] + proof[k + 1:])
                   for p in _flips(proof[k]))
    assert all(not merkle.verify_consistency(m, n, r, second, proof) for r in _flips(first))
    assert all(not merkle.verify_consistency(m, n, first, r, proof) for r in _flips(second))
    assert not merkle.verify_consistency(m, n, second, first, proof)  # swapped roots
    assert all(not merkle.verify_consistency(a, n, first, second, proof) for a in range(0, 30) if a != m)
    # as for inclusion, the larger size is bound by its signed checkpoint; sizes whose turns differ fail here
    assert all(not merkle.verify_consistency(m, b, first, second, proof) for b in [*range(0, 17), *range(33, 70)])
    assert not merkle.verify_consistency(m, n, first, second, proof[:-1])
    assert not merkle.verify_consistency(m, n, first, second, proof + [proof[-1]])
    assert not merkle.verify_consistency(m, n, first, second, [])
    # a tree that rewrote one of the first m leaves is not consistent with the first
    rewritten = [merkle.leaf_hash(b"other")] + hashes[1:]
    assert not merkle.verify_consistency(m, n, first, merkle.root(rewritten), merkle.consistency_proof(m, rewritten))


def test_the_remembering_tree_answers_as_the_functions(monkeypatch):
    monkeypatch.setattr(merkle, "MEMO_MIN", 4)  # small trees exercise the memo too
    hashes = [merkle.leaf_hash(f"t{i}".encode()) for i in range(70)]
    tree = merkle.Tree()
    for n in range(1, 71):
        tree.extend([hashes[n - 1]])
        assert tree.root() == merkle.root(hashes[:n])
        for i in range(0, n, 3):
            assert tree.inclusion_proof(i, n) == merkle.inclusion_proof(i, hashes[:n])
        for m in range(1, n + 1, 2):
            assert tree.consistency_proof(m, n) == merkle.consistency_proof(m, hashes[:n])
    assert tree.root(33) == merkle.root(hashes[:33]) and tree.extended([hashes[0]]).root() == merkle.root(hashes + hashes[:1])
