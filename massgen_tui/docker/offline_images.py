"""Base images made without a registry, for air-gapped machines and the tests.

- ``busybox``: FROM scratch plus Debian's static busybox (``apt-get install busybox-static``); < 1 s.
- ``debian``: ``debootstrap --variant=minbase`` of a Debian suite with extra packages (python3 by
  default), apt caches and docs removed, then ``docker import``; ~45 s once, needs root and a Debian mirror.

Both are tagged by content (busybox binary hash; suite + packages + mirror), so a second call is instant.
Command line: ``python -m massgen_tui.docker.offline_images busybox|debian [--packages python3,...]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from massgen_tui.docker.errors import ImageError
from massgen_tui.docker.images import Progress, build_image, image_exists

BUSYBOX_PATHS = ("/bin/busybox", "/usr/bin/busybox")
BUSYBOX_DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /tmp /home /etc /root /usr/bin /usr/sbin /sbin && chmod 1777 /tmp \\
 && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group
CMD ["/bin/sh"]
"""
DEBIAN_MIRROR = "http://deb.debian.org/debian"


def _find_static_busybox() -> Path:
    for candidate in BUSYBOX_PATHS:
        path = Path(candidate)
        if path.is_file():
            out = subprocess.run(["file", "-L", str(path)], capture_output=True, text=True, check=False).stdout \
                if shutil.which("file") else "statically linked"
            if "dynamically linked" not in out:
                return path
    raise ImageError("no static busybox found: install Debian's busybox-static (apt-get install busybox-static)")


def busybox_image(client: Any, *, progress: Progress | None = None, tag: str | None = None) -> str:
    """A tiny image FROM scratch with a static busybox; returns its content tag."""
    binary = _find_static_busybox()
    with tempfile.TemporaryDirectory(prefix="massgen-tui-busybox-") as folder:
        context = Path(folder) / "busybox-base"
        context.mkdir()
        shutil.copy2(binary, context / "busybox")
        (context / "Dockerfile").write_text(BUSYBOX_DOCKERFILE)
        return build_image(client, context / "Dockerfile", tag=tag, progress=progress)


def debian_tag(suite: str, packages: Sequence[str], mirror: str) -> str:
    digest = hashlib.sha256(f"{suite}\0{','.join(sorted(packages))}\0{mirror}".encode()).hexdigest()[:12]
    name = "-".join(p.replace(".", "") for p in sorted(packages))[:40] or "minbase"
    return f"massgen-tui/base-debian:{suite}-{name}-{digest}"


def debian_image(client: Any, *, suite: str = "bookworm", packages: Sequence[str] = ("python3",),
                 mirror: str = DEBIAN_MIRROR, progress: Progress | None = None) -> str:
    """A Debian minbase image with ``packages``, from debootstrap + docker import; returns its tag."""
    tag = debian_tag(suite, packages, mirror)
    if image_exists(client, tag):
        if progress:
            progress(f"using cached image {tag}")
        return tag
    if not shutil.which("debootstrap"):
        raise ImageError("debootstrap is not installed (apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise ImageError("debootstrap needs root: run this as root (sudo)")
    with tempfile.TemporaryDirectory(prefix="massgen-tui-debootstrap-") as folder:
        root = Path(folder) / "root"
        command = ["debootstrap", "--variant=minbase"]
        if packages:
            command.append("--include=" + ",".join(packages))
        command += [suite, str(root), mirror]
        if progress:
            progress("running " + " ".join(command))
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tail: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            tail = [*tail[-15:], line.rstrip()]
            if progress:
                progress(line.rstrip())
        if process.wait() != 0:
            raise ImageError("debootstrap failed:\n  " + "\n  ".join(tail))
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                     "usr/share/info", "usr/share/locale", "var/log"):
            target = root / junk
            if target.is_dir():
                for child in target.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)
        archive = Path(folder) / "root.tar"
        if progress:
            progress(f"importing as {tag}")
        with tarfile.open(archive, "w") as tar:
            for child in sorted(root.iterdir()):
                tar.add(child, arcname=child.name)
        repository, _, version = tag.rpartition(":")
        client.api.import_image_from_file(str(archive), repository=repository, tag=version, changes=[
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]'])
    if not image_exists(client, tag):
        raise ImageError(f"docker import did not produce {tag}")
    return tag


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build-base-image", description="Make an offline base image.")
    parser.add_argument("kind", choices=("busybox", "debian"))
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--packages", default="python3", help="comma-separated Debian packages (debian only)")
    parser.add_argument("--mirror", default=DEBIAN_MIRROR)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    from massgen_tui.docker.engine import connect
    from massgen_tui.docker.errors import DockerExecutionError

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    try:
        client = connect()
        if args.kind == "busybox":
            tag = busybox_image(client, progress=progress)
        else:
            packages = [p for p in args.packages.split(",") if p.strip()]
            tag = debian_image(client, suite=args.suite, packages=packages, mirror=args.mirror, progress=progress)
    except DockerExecutionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(tag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
