"""The public API: what ``from wsecho_widget import X`` offers, and that it is whole.

Every type a public method returns or yields (read from the annotations of every
public class, followed to a fixed point) is importable from ``wsecho_widget``;
every exception class of the package shares one base, :class:`WsechoError`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
import typing
from pathlib import Path
from typing import Any

import wsecho_widget
from wsecho_widget import WsechoError

ROOT = Path(wsecho_widget.__file__).parent

#: Types a public class's annotations name that are not public, and why.
PLUMBING = {
    # The panel's parts that ClientAPI composes (``panel.hooks``, ``panel.decoder_views``):
    # reached through on_message(), stream() and add_decoder(), never used by name.
    "MessageHooks",
    "DecoderViews",
    # configure(compression=KEEP)'s default, "leave it as it is": callers pass a str or None.
    "Keep",
    # The hub's callback table behind on_message()/on_connect()/on_disconnect()/subscribe().
    "Callbacks",
    # Returned only by the deprecated list attributes (Session.listeners, Hub.*_listeners,
    # the protocol clients' on_change...), which go in 0.4: subscribe() replaces them.
    "Observers",
}


#: Names that a module imports for type checking only resolve to the public objects.
PUBLIC_NAMES = {name: getattr(wsecho_widget, name) for name in wsecho_widget.__all__}


def _classes_named(annotation: Any, found: set[type]) -> None:
    if isinstance(annotation, type):
        found.add(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(origin, type):
        found.add(origin)
    for argument in typing.get_args(annotation):
        _classes_named(argument, found)


def _hints(function: Any) -> dict[str, Any]:
    """Each annotation evaluated; one naming what its module imports for type checking
    only (a private mixin's ``OptionsForm``) is skipped, unless it is a public name."""
    annotations = getattr(function, "__annotations__", None)
    if not isinstance(annotations, dict):
        return {}  # a builtin: no annotations to read
    module = sys.modules.get(getattr(function, "__module__", ""), None)
    namespace = {**vars(module), **PUBLIC_NAMES} if module is not None else dict(PUBLIC_NAMES)
    hints = {}
    for name, annotation in annotations.items():
        try:
            hints[name] = eval(annotation, namespace) if isinstance(annotation, str) else annotation
        except NameError:
            continue
    return hints


def _annotations(cls: type) -> set[type]:
    """The classes named by the public methods', properties' and attributes' annotations."""
    found: set[type] = set()
    functions: list[Any] = [c for c in cls.__mro__ if c.__module__.startswith("wsecho_widget.")]
    ours = [c for c in cls.__mro__ if c.__module__.startswith("wsecho_widget.")]
    for name, member in {n: m for c in reversed(ours) for n, m in vars(c).items()}.items():
        if name.startswith("_") and name not in ("__init__", "__aiter__", "__anext__"):
            continue
        functions.append(member.fget if isinstance(member, property) else member)
    for function in functions:
        if isinstance(function, (staticmethod, classmethod)):
            function = function.__func__
        if not callable(function):
            continue
        for name, hint in _hints(function).items():
            if not name.startswith("_"):
                _classes_named(hint, found)
    return {c for c in found if c.__module__.startswith("wsecho_widget.")}


def test_every_public_name_resolves_and_is_listed_three_times() -> None:
    # __all__, the lazy table and the TYPE_CHECKING imports (for type checkers) agree.
    source = ast.parse((ROOT / "__init__.py").read_text())
    checked = {
        alias.asname or alias.name
        for node in ast.walk(source)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for child in node.body
        if isinstance(child, ast.ImportFrom)
        for alias in child.names
    }
    assert set(wsecho_widget.__all__) == set(wsecho_widget._PUBLIC) == checked
    for name in wsecho_widget.__all__:
        assert getattr(wsecho_widget, name) is not None
        assert name in dir(wsecho_widget)


def test_every_type_a_public_method_returns_is_importable_from_the_package() -> None:
    public = {getattr(wsecho_widget, name) for name in wsecho_widget.__all__}
    todo = [obj for obj in public if inspect.isclass(obj)]
    seen: set[type] = set()
    missing: dict[str, set[str]] = {}
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for named in _annotations(cls):
            if named.__name__ in PLUMBING:
                continue
            if named not in public:
                missing.setdefault(f"{named.__module__}.{named.__name__}", set()).add(cls.__name__)
            todo.append(named)
    assert not missing, f"named by public annotations but not exported: {missing}"
    assert {"MessageStream", "Subscription", "Client", "Notice", "Event", "Hub"} <= {c.__name__ for c in seen}


def test_every_exception_of_the_package_is_a_wsecho_error() -> None:
    found = {}
    for info in pkgutil.walk_packages([str(ROOT)], "wsecho_widget."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == info.name
                and not name.startswith("_")  # private control flow (the pretty-printer's _Full)
            ):
                found[f"{info.name}.{name}"] = obj
    assert len(found) >= 8, sorted(found)
    assert not [name for name, cls in found.items() if not issubclass(cls, WsechoError)]


def test_the_project_errors_keep_their_standard_bases() -> None:
    from wsecho_widget import ChannelError, DecodeError, GraphQLError, SocketIOError

    assert issubclass(ChannelError, ConnectionError)
    assert issubclass(SocketIOError, ChannelError)
    assert issubclass(DecodeError, ValueError)
    for cls in (ChannelError, DecodeError, GraphQLError, SocketIOError):
        assert issubclass(cls, WsechoError)
    try:
        wsecho_widget.decode(b"\xc1", "msgpack")  # 0xc1: never used in MessagePack
    except WsechoError as exc:
        assert isinstance(exc, ValueError)
    else:
        raise AssertionError("0xc1 decoded as MessagePack")


def test_the_reference_page_lists_every_public_name() -> None:
    reference = (Path(__file__).resolve().parents[1] / "docs" / "reference.md").read_text()
    assert [n for n in wsecho_widget.__all__ if f"::: wsecho_widget.{n}\n" not in reference] == []
