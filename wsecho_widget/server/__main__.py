"""``python -m wsecho_widget.server``: the echo server on its own."""

from wsecho_widget.server.echo import main

main()
