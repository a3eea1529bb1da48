"""Socket.IO v5 over Engine.IO v4: the codec (``protocol``), the client and its log lines."""
