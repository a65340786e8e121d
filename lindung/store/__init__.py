"""Store: the private data store, shared by both sides of the boundary.

Row-level, pseudonymised data lives here and nowhere public: one snapshot
folder per kecamatan (the last good data) and one report per kecamatan.
The pull side writes it; the build side reads it. In production the folder
is a checkout of a private git repository (docs/operator.md)."""
