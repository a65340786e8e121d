"""`python build.py [--as-of YYYY-MM-DD]`: pull every source, then build the
site, on the default config. The same as `lindung pull && lindung build`."""
import sys

from click.testing import CliRunner  # noqa: F401  (keeps click's import cheap path warm)

from lindung.cli import main


def run(argv: list[str]) -> int:
    build_args = argv
    for command in (["pull"], ["build", *build_args]):
        try:
            main.main(command, standalone_mode=False)
        except SystemExit as stop:
            if stop.code:
                return int(stop.code)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
