"""Staff identity: sign-in, people and topics, API tokens."""
