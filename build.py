"""`python build.py [--as-of YYYY-MM-DD] [--out DIR]`: pull every source,
then build the site, on the default config. The same as
`lindung pull && lindung build [...]`; stops at the first command that fails."""
import sys

import click

from lindung.cli import main


def run(build_args: list[str]) -> int:
    try:  # check the build options before spending a pull on them
        main.commands["build"].make_context("build.py", list(build_args))
    except click.ClickException as error:
        error.show()
        return error.exit_code
    for command in (["pull"], ["build", *build_args]):
        try:
            main.main(command, standalone_mode=False)
        except click.ClickException as error:  # usage errors: show them as click would
            error.show()
            return error.exit_code
        except SystemExit as stop:
            if stop.code:
                return int(stop.code)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
