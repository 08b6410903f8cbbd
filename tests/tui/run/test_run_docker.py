"""The Run tab with agents whose commands run in real containers (the real Docker engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.tui.screens.run import RunView
from tests.integration.agents.scripts import coordinating
from tests.support.docker_engine import busybox_image, docker_client
from tests.support.fake_llm import FakeLLM, team_config
from tests.tui.run.conftest import KEY
from tests.tui.run.test_run_tab import panel_text, type_task, wait_until

__all__ = ["busybox_image", "docker_client"]
pytestmark = [pytest.mark.docker, pytest.mark.slow]


async def test_agents_run_their_commands_in_containers(make_host, run_env: Path, busybox_image: str,
                                                       docker_client) -> None:  # type: ignore[no-untyped-def]
    extra = (f"command_line_docker_image: {busybox_image}\ncommand_line_docker_network_mode: none\n")
    with FakeLLM(coordinating(lambda who: f"echo {who.lower()}-in-$(hostname)"), api_key=KEY) as server:
        text = team_config(server.base_url, [("a1", "Alpha"), ("a2", "Beta")], extra_backend=extra)
        text = text.replace("command_line_execution_mode: local", "command_line_execution_mode: docker")
        app = make_host(text)
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "say where you run")
            await pilot.press("enter")
            await wait_until(pilot, lambda: view.controller is not None and view.controller.finished, 90)
            assert view.state.status == "completed", view.state.error
            a1 = panel_text(view, "a1")
            hostnames = [line.split("alpha-in-", 1)[1].strip() for line in a1.splitlines() if "│ alpha-in-" in line]
            assert hostnames and hostnames[0] and hostnames[0] != __import__("socket").gethostname()
            assert "beta-in-" in panel_text(view, "a2")
            assert view.state.final_answer is not None
            runtime = view.controller.run.container_runtime
            assert runtime is not None  # what the containers pane watches during the run
            assert app.announced == [runtime]  # handed to the app once (ContainerRuntimeReady)
    # The run's containers are gone once it ended.
    from massgen_tui.docker.sessions import SESSION

    label = f"{SESSION}={runtime.session.session_id}"
    assert docker_client.containers.list(all=True, filters={"label": label}) == []
