"""What both ends of a WebSocket share: failures and closes described in one line, and
websockets' internals behind public fallbacks.

Imports websockets and the private utilities only: no sessions, no servers, no widgets.
"""
