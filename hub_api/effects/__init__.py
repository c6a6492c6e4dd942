"""After-write effects: the outbox, the leader that carries it out, jobs, mail and webhooks."""
