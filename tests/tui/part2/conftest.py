from tests.support.docker_engine import busybox_image, docker_client  # noqa: F401
