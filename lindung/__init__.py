"""Lindung: pulls the kecamatan sheets, validates them and publishes a static site
about BPJS Ketenagakerjaan protection of pekerja rentan in Jawa Tengah."""
