"""The page's code composed into one module, and the message format read from protocol.js."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wsecho_widget.ui.frontend import JS, bundle, conforms, message_types
from wsecho_widget.ui.live import LiveWidget
from wsecho_widget.ui.logwidget import LogWidget


@pytest.mark.parametrize("entry", ["logwidget.js", "livewidget.js"])
def test_each_widget_loads_one_module_made_of_its_entry_and_what_it_imports(entry: str) -> None:
    code = bundle(entry)
    assert 'from "./' not in code  # no relative import is left for the page to fetch
    assert code.count("export default") == 1
    assert code.rstrip().endswith("export default { render };")
    if entry == "logwidget.js":
        for module in ("media.js", "viewport.js", "entries.js", "selection.js"):
            assert f"// ---- {module}" in code
        assert LogWidget._esm == code
    else:
        assert LiveWidget._esm == code


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("entry", ["logwidget.js", "livewidget.js"])
def test_node_parses_each_bundle_as_one_es_module(entry: str, tmp_path: Path) -> None:
    # Two modules defining the same top-level name would make this a SyntaxError.
    path = tmp_path / entry.replace(".js", ".mjs")
    path.write_text(bundle(entry), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            "import(process.argv[1]).then(m => console.log(typeof m.default.render))",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.stdout.strip() == "function", done.stderr


def test_the_format_is_read_from_protocol_js() -> None:
    types = message_types()
    assert types["Item"]["seq"] == ("number", True)
    assert types["Item"]["media"] == ("string", False)
    assert types["UpdateMessage"]["drop"] == ("[number,string][]", False)
    assert {"UpdateMessage", "ResetMessage", "SnapshotRequest", "SelectRequest", "FrameRequest"} <= set(types)
    assert (JS / "protocol.js").read_text(encoding="utf-8").startswith("// @ts-check")


@pytest.mark.parametrize(
    ("value", "type_name", "ok"),
    [
        ({"kind": "update", "append": [{"seq": 1, "text": "a\n", "size": [2, 3]}]}, "UpdateMessage", True),
        ({"kind": "update", "drop": [[1, "gone\n"]], "trim": 2}, "UpdateMessage", True),
        ({"kind": "update", "append": [{"seq": 1, "text": "a", "size": [2]}]}, "UpdateMessage", False),
        ({"kind": "update", "trim": "2"}, "UpdateMessage", False),
        ({"kind": "update", "surprise": 1}, "UpdateMessage", False),
        ({"kind": "reset", "token": None, "entries": []}, "ResetMessage", True),
        ({"kind": "reset", "entries": []}, "ResetMessage", False),  # token is required (null allowed)
        ({"kind": "snapshot", "token": "abc"}, "SnapshotRequest", True),
        ({"kind": "snapshot", "token": 3}, "SnapshotRequest", False),
        ({"kind": "select", "seq": None}, "SelectRequest", True),
        ({"kind": "select", "seq": True}, "SelectRequest", False),  # a boolean is no number
        ("snapshot", "SnapshotRequest", False),
        ({"kind": "frame?"}, "FrameRequest", True),
        ({"kind": "frame?"}, "NoSuchType", False),
    ],
)
def test_a_message_conforms_only_to_its_type(value: object, type_name: str, ok: bool) -> None:
    assert conforms(value, type_name) is ok
