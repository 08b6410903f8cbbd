"""The docker domain's exception types: one base type, with a few subtypes callers may tell apart."""

from __future__ import annotations


class DockerExecutionError(Exception):
    """Something about running commands in containers failed. The message says what to do about it.

    ``key`` names the config key at fault when the problem is a setting (``command_line_docker_...``).
    """

    def __init__(self, message: str, *, key: str | None = None):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.detail = message


class DockerSettingsError(DockerExecutionError):
    """A Docker setting of the config is invalid; raised before any container starts."""


class DockerUnavailableError(DockerExecutionError):
    """No Docker engine answers."""


class ImageError(DockerExecutionError):
    """An image is missing, cannot be pulled, or failed to build."""


class CommandRejectedError(DockerExecutionError):
    """A command was refused by the allow/block command patterns before it ran."""
