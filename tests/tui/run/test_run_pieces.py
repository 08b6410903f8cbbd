"""The Run tab's pieces: event batching, the folded run state, and the agent panel's bounds (output
lines per command, ANSI and control sequences, partial lines)."""

from __future__ import annotations

from textual.widgets import RichLog

from massgen_tui.agents import events as ev
from massgen_tui.tui.run_controller import RunState, coalesce
from massgen_tui.tui.screens.run import RunView
from massgen_tui.tui.widgets.run_agent_panel import MAX_COMMAND_LINES, clean_line, short
from tests.support.fake_llm import team_config


def test_coalesce_merges_per_agent_and_keeps_each_agents_order() -> None:
    events = [ev.TextDelta(agent="a", text="Hel"), ev.TextDelta(agent="a", text="lo"), ev.TextDelta(agent="b", text="x"),
              ev.TextDelta(agent="a", text="!"),
              ev.CommandOutput(agent="a", call_id="c1", text="1\n"), ev.CommandOutput(agent="b", call_id="c2", text="B"),
              ev.CommandOutput(agent="a", call_id="c1", text="2\n"),
              ev.CommandOutput(agent="a", call_id="c1", stream="stderr", text="e\n"),
              ev.ToolCallFinished(agent="a", call_id="c1"), ev.TextDelta(agent="a", text="after")]
    out = coalesce(events)
    assert [(type(e).__name__, e.agent) for e in out] == [
        ("TextDelta", "a"), ("TextDelta", "b"), ("CommandOutput", "a"), ("CommandOutput", "b"),
        ("CommandOutput", "a"), ("ToolCallFinished", "a"), ("TextDelta", "a")]
    assert out[0].text == "Hello!" and out[2].text == "1\n2\n" and out[4].stream == "stderr"
    assert out[-1].text == "after"  # not merged across the tool call of the same agent


def test_state_counts_votes_and_a_new_answer_clears_them() -> None:
    state = RunState()
    for e in [ev.RunStarted(run_id="r", agents=["a1", "a2"]),
              ev.AnswerPosted(agent="a1", label="agent1.1", content="A"),
              ev.VoteCast(agent="a2", voted_for="a1", reason="good"),
              ev.UsageReported(agent="a1", input_tokens=10, output_tokens=5, cost_usd=0.01),
              ev.UsageReported(agent="a2", input_tokens=3, output_tokens=2, cost_usd=None)]:
        state.apply(e)
    assert state.agents["a1"].votes_received == 1 and state.agents["a2"].status == "voted"
    assert (state.input_tokens, state.output_tokens, state.cost_usd) == (13, 7, 0.01)
    state.apply(ev.AnswerPosted(agent="a2", label="agent2.1", content="B"))
    assert state.agents["a1"].votes_received == 0 and state.agents["a2"].voted_for == ""
    state.apply(ev.AgentError(agent="a2", message="boom", fatal=True))
    state.apply(ev.RunFinished(status="failed", error="x"))
    assert state.agents["a2"].status == "stopped" and state.agents["a1"].status == "done" and state.status == "failed"


def test_clean_line_keeps_colours_and_drops_the_rest() -> None:
    text = clean_line("\x1b[1;31mred\x1b[0m \x1b[2K\x1b]0;title\x07tail\x07")
    assert text.plain == "red tail" and text.spans
    assert clean_line("10%\r50%\r100%").plain == "100%"
    assert len(clean_line("x" * 5000)) <= 400
    assert short("\x1b[32mgreen\x1b[0m\n  text", 50) == "green text"


async def test_panel_bounds_command_output_and_shows_partial_lines(make_host) -> None:
    app = make_host(team_config("http://127.0.0.1:9/v1", [("a1", "Alpha")]))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(RunView)
        await view._reset([("a1", "m")])
        lines = "".join(f"line {i}\n" for i in range(MAX_COMMAND_LINES + 300))
        view.apply_events([
            ev.TextDelta(agent="a1", text="Thinking about it"),
            ev.ToolCallStarted(agent="a1", call_id="c1", tool="execute_command", arguments={"command": "seq"}),
            ev.CommandOutput(agent="a1", call_id="c1", text=lines + "no newline at the end"),
            ev.ToolCallFinished(agent="a1", call_id="c1", tool="execute_command", status="ok", result=""),
            ev.TextDelta(agent="a1", text="Half a li"),
        ])
        await pilot.pause()
        panel = view.panels["a1"]
        text = [strip.text for strip in panel.query_one(RichLog).lines]
        assert "Thinking about it" in text  # the partial line moved into the log when the tool call began
        assert sum(1 for t in text if t.startswith("│ line ")) == MAX_COMMAND_LINES
        assert any("301 more line(s) not shown" in t for t in text)
        partial = panel.query_one(".run-agent-partial")
        assert partial.display and "Half a li" in str(partial.render())
        assert panel.border_subtitle.startswith("thinking")
