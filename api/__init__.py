"""The entry points and the composition root: `api.settings` reads the settings, `api.stack`
builds what every entry point shares (the one composition root), `api.http` serves it as the
HTTP API, `api.cli` is the `trainplan` command line."""
