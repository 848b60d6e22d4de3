"""Planners' files: spreadsheets in (a schedule of usage from CSV or XLSX, every row's error
named) and files out (the prospectus as CSV, iCalendar and XLSX; any read-model list as CSV).

Plain functions over plain rows, so that the HTTP API, the CLI and the web pages call the same
code: `spreadsheet` reads a sheet, `schedule` checks and imports a schedule of usage, `exports`
writes files."""
