"""Staff pages, one module per area: sign-in, inbox, report page and actions, agency admin."""
