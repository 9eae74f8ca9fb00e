// Replaced by the push server.
