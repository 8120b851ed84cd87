"""Dataset card specs (one YAML per dataset), shipped as package data and rendered by `hub_tools.cards`."""
