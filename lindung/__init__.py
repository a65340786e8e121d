"""Lindung: pulls the kecamatan sheets, validates them and publishes a static site
about BPJS Ketenagakerjaan protection of pekerja rentan in the provinces chosen in lindung.toml."""
