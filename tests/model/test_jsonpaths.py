"""JSONPaths: leaves with their paths, ignore patterns, keys left out."""

from __future__ import annotations

from wsecho_widget.model.jsonpaths import ignored, walk, without


def test_walk_names_every_leaf() -> None:
    value = {"a": {"b": [1, {"c": 2}]}, "x y": {}, "n": None}
    assert list(walk(value)) == [("$.a.b[0]", 1), ("$.a.b[1].c", 2), ("$['x y']", {}), ("$.n", None)]


def test_ignore_patterns() -> None:
    assert ignored("$.ts", ["$.ts"]) and not ignored("$.tsx", ["$.ts"])
    assert ignored("$.a.ts", ["$..ts"]) and ignored("$.ts", ["$..ts"]) and not ignored("$.tsx", ["$..ts"])
    assert ignored("$.items[3].id", ["$.items[*].id"]) and not ignored("$.items[3].idx", ["$.items[*].id"])
    assert ignored("$.a.b[0]", ["$.a"])


def test_without_leaves_keys_out_at_any_depth() -> None:
    assert without({"ts": 1, "a": [{"id": 2, "v": 3}]}, ["$.ts", "$..id"]) == {"a": [{"v": 3}]}
