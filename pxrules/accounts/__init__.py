"""Who may use the web workspace: accounts with a role and a scope, passwords, browser sessions, API tokens."""
