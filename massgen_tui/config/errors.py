"""The config domain's one exception type."""


class ConfigError(Exception):
    """A config file could not be read or parsed at all. Carries a message a user can act on.

    Problems inside a parsed config are not exceptions: they are diagnostics returned by validation.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, column: int | None = None):
        where = ""
        if path:
            where = path
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line
        self.column = column
