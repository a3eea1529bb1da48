"""GraphQL over ``graphql-transport-ws``: the codec (``protocol``), the client and its log lines."""
