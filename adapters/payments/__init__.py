"""Payment links: a provider Protocol and the built-in local provider."""
