"""The GraphQL panel: a query box, a variables box, Run / Subscribe, the active subscriptions.

:class:`GraphQLPanel` shows a :class:`~wsecho_widget.protocols.graphql.client.GraphQLClient`
through the panel's parts. The variables are checked (a JSON object) before
anything is sent; each running subscription has a row with Stop; results are
pretty-printed in the log (or shown as the frames went, with Raw).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from wsecho_widget._util.loop import in_loop
from wsecho_widget._util.tasks import keep_task
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message
from wsecho_widget.protocols.graphql.client import GraphQLClient, GraphQLError, Subscription
from wsecho_widget.protocols.graphql.render import graphql_text
from wsecho_widget.ui._protocol_panel import ProtocolPanel
from wsecho_widget.ui.controls import LogOptions, close_descendants
from wsecho_widget.ui.controls._options import check_panel_options

__all__ = ["GraphQLPanel", "parse_variables"]

#: How long Run waits for a result.
RUN_TIMEOUT = 30.0


#: A document whose first operation is a subscription (comments and whitespace before it).
SUBSCRIPTION = re.compile(r"^(?:\s|#[^\n]*\n)*subscription\b")


def operation_of(message: Message) -> tuple[str, dict[str, Any] | None] | None:
    """``(query, variables)`` of an operation the panel sent (a ``subscribe`` frame), else None."""
    if message.direction != "sent" or not isinstance(message.data, str):
        return None
    try:
        frame = json.loads(message.data)
    except (ValueError, RecursionError):
        return None
    payload = frame.get("payload") if isinstance(frame, dict) and frame.get("type") == "subscribe" else None
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None
    variables = payload.get("variables")
    return payload["query"], variables if isinstance(variables, dict) else None


def parse_variables(text: str) -> dict[str, Any] | None:
    """The variables box: empty, or a JSON object. Raises ValueError in one line."""
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("variables nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"variables are not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f'variables are a JSON object like {{"n": 1}}, not a {type(value).__name__}')
    return value


class GraphQLPanel(ProtocolPanel):
    """A GraphQL client over WebSocket (graphql-transport-ws) in a notebook.

    ``GraphQLPanel("ws://127.0.0.1:8000/graphql", connection_params=None, **options)``:
    ``options`` go to the session (reconnect, keepalive, TLS, headers). The
    methods for code are the client's: ``ready``, ``execute``, ``subscribe``.
    """

    client: GraphQLClient

    def __init__(
        self,
        url: str,
        *,
        connection_params: Mapping[str, Any] | None = None,
        query: str = "",
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        log: LogOptions | None = None,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        check_panel_options(type(self), options, GraphQLClient.accepted_options())
        # Results are text: the log keeps no pictures.
        log = replace(LogOptions.take(options, log), image_limit=0)
        client = GraphQLClient(
            url,
            connection_params=connection_params,
            history_limit=history_limit,
            autoconnect=False,
            **options,
        )
        loop = client.loop
        wide = widgets.Layout(width="100%")
        self.query_input = widgets.Textarea(
            value=query,
            description="Query",
            placeholder="query { hello }   or   subscription { count(to: 3) }",
            layout=widgets.Layout(width="100%", height="6em"),
        )
        self.query_input.add_class("wsecho-query")
        self.variables_input = widgets.Textarea(
            description="Variables",
            placeholder='{"n": 1}   (a JSON object, or empty)',
            layout=widgets.Layout(width="100%", height="3em"),
        )
        self.variables_input.add_class("wsecho-variables")
        self.run_button = widgets.Button(
            description="Run", icon="play", tooltip="Run once: the result goes in the log"
        )
        self.subscribe_button = widgets.Button(
            description="Subscribe", icon="rss", tooltip="Start a subscription: each result goes in the log"
        )
        self.subscriptions_box = widgets.VBox(layout=wide)
        self.subscriptions_box.add_class("wsecho-subscriptions")
        self.run_button.on_click(in_loop(loop, lambda _: self.run()))
        self.subscribe_button.on_click(in_loop(loop, lambda _: self.start_subscription()))
        self._rows: dict[str, widgets.HBox] = {}
        form = [
            self.query_input,
            self.variables_input,
            widgets.HBox([self.run_button, self.subscribe_button]),
            self.subscriptions_box,
        ]
        super().__init__(client, form, graphql_text, log)
        self.add_class("wsecho-graphql")
        if autoconnect:
            client.connect()

    # -- the client's API, for code --------------------------------------------------

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        timeout: float | None = 5.0,
    ) -> dict[str, Any]:
        """Run one operation; returns ``{"data": ...}`` (and ``"errors"``)."""
        return await self.client.execute(query, variables, operation_name, timeout=timeout)

    def subscribe(
        self, query: str, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
    ) -> Subscription:
        """Start an operation; ``async for result in`` it; ``await sub.cancel()`` stops it."""
        return self.client.subscribe(query, variables, operation_name)

    # -- the form --------------------------------------------------------------------

    def _read_form(self) -> tuple[str, dict[str, Any] | None]:
        query = self.query_input.value
        if not query.strip():
            raise ValueError("type a query first")
        return query, parse_variables(self.variables_input.value)

    def run(self) -> None:
        """Run the query box once (what Run does); the result goes in the log."""
        try:
            query, variables = self._read_form()
        except ValueError as exc:
            self._notify(str(exc))
            return
        self._notify("running…")
        keep_task(self.loop, self._tasks, self._run(query, variables))

    async def _run(self, query: str, variables: dict[str, Any] | None) -> None:
        try:
            result = await self.client.execute(query, variables, timeout=RUN_TIMEOUT)
        except GraphQLError as exc:
            self._notify(f"error: {exc}")
        except (TimeoutError, ValueError, TypeError, ConnectionError) as exc:
            self._notify(str(exc))
        else:
            errors = result.get("errors") or []
            self._notify(f"done with {len(errors)} errors" if errors else "done")

    def start_subscription(self) -> Subscription | None:
        """Subscribe with the query box (what Subscribe does): a row with Stop appears."""
        try:
            query, variables = self._read_form()
        except ValueError as exc:
            self._notify(str(exc))
            return None
        return self._subscribe(query, variables)

    def _subscribe(self, query: str, variables: dict[str, Any] | None) -> Subscription | None:
        try:
            sub = self.client.subscribe(query, variables)
        except (ValueError, TypeError, ConnectionError) as exc:
            self._notify(str(exc))
            return None
        stop = widgets.Button(description="Stop", icon="stop", tooltip=f"Stop subscription #{sub.id}")
        stop.on_click(in_loop(self.loop, lambda _: keep_task(self.loop, self._tasks, sub.cancel())))
        summary = " ".join(query.split())[:80]
        label = widgets.Label(f"#{sub.id} {summary}", layout=widgets.Layout(flex="1 1 auto"))
        row = widgets.HBox([stop, label])
        row.add_class("wsecho-subscription")
        self._rows[sub.id] = row
        self.subscriptions_box.children = (*self.subscriptions_box.children, row)
        self._notify(f"#{sub.id} subscribed")
        keep_task(self.loop, self._tasks, self._follow(sub))
        return sub

    # -- the detail view's Resend and Edit ---------------------------------------------

    def _operation(self, message: Message) -> tuple[str, dict[str, Any] | None] | None:
        found = operation_of(message)
        if found is None:
            self._notify(f"message #{message.seq} is not an operation sent: only those run again or edit")
        return found

    def _resend(self, message: Message) -> None:
        # A new operation (a new id) with the same query and variables: sending the old
        # frame again would reuse its id (graphql-transport-ws closes with 4409).
        found = self._operation(message)
        if found is None:
            return
        query, variables = found
        if SUBSCRIPTION.match(query):
            self._subscribe(query, variables)
        else:
            self._notify("running…")
            keep_task(self.loop, self._tasks, self._run(query, variables))

    def _edit(self, message: Message) -> None:
        found = self._operation(message)
        if found is not None:
            self.query_input.value = found[0]
            self.variables_input.value = json.dumps(found[1], ensure_ascii=False) if found[1] else ""

    async def _follow(self, sub: Subscription) -> None:
        # The log shows the results (from the frames); this only drains the iterator
        # and says how the subscription ended.
        try:
            async for _ in sub:
                pass
        except GraphQLError as exc:
            self._notify(f"#{sub.id} error: {exc}")
        except ConnectionError as exc:
            self._notify(f"#{sub.id} ended: {exc}")
        else:
            self._notify(f"#{sub.id} done ({sub.received} results)")
        finally:
            self._drop_row(sub.id)

    def _drop_row(self, id: str) -> None:
        row = self._rows.pop(id, None)
        if row is not None:
            self.subscriptions_box.children = tuple(
                c for c in self.subscriptions_box.children if c is not row
            )
            close_descendants(row)  # the Stop button and label, with their Layouts and Styles
            row.close()
        self._update_stats()

    # -- what the panel shows --------------------------------------------------------

    def _stats(self) -> list[str]:
        active = len(self._rows)
        return [*super()._stats(), *([f"{active} active subscriptions"] if active else [])]

    def __repr__(self) -> str:
        return f"<GraphQLPanel {self.client.display_url} {self.client.status}>"
