"""A prospect's question from asking to answer: the forms, threads, queue, routing, the
promise made to the asker, and ``states`` (the one place that says what a state means)."""
