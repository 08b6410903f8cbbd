"""Pilot tests of the approval dialog: every key, the queue, timeouts, and the dialog over other screens."""

from __future__ import annotations

import asyncio
import threading

import pytest

from massgen_tui.safety import ApprovalDecision
from massgen_tui.tui.screens.approval import ApprovalScreen
from massgen_tui.tui.screens.dialogs import ConfirmModal
from tests.tui.part2.support import DELETE, READ, DialogHost, make_request

KEYS = [
    ("y", "allow", "once"),
    ("s", "allow", "session"),
    ("w", "allow", "workspace"),
    ("a", "allow", "user"),
    ("n", "deny", "once"),
    ("d", "deny", "user"),
    ("escape", "deny", "once"),
]


async def _open(pilot, app: DialogHost, req) -> asyncio.Task[ApprovalDecision]:
    task = asyncio.create_task(app.approver.request(req))
    for _ in range(20):
        await pilot.pause(0.02)
        if isinstance(app.screen, ApprovalScreen):
            break
    assert isinstance(app.screen, ApprovalScreen), "the dialog did not open"
    return task


@pytest.mark.parametrize(("key", "action", "scope"), KEYS)
async def test_each_key_answers(key: str, action: str, scope: str) -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request())
        await pilot.press(key)
        decision = await asyncio.wait_for(task, 2)
        assert (decision.action, decision.scope) == (action, scope)
        assert decision.decided_by == "human"
        await pilot.pause()
        assert not isinstance(app.screen, ApprovalScreen), "the dialog closed after the answer"


async def test_deny_with_reason_types_letters_into_the_input() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request())
        await pilot.press("r")
        await pilot.press(*"wrong dir", "enter")  # y/s/w/a/n/d typed here must not answer the dialog
        decision = await asyncio.wait_for(task, 2)
        assert decision.action == "deny" and decision.scope == "once"
        assert decision.reason == "wrong dir"


async def test_escape_in_reason_goes_back_and_other_keys_still_work() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request())
        await pilot.press("r", "escape")
        assert not task.done()
        await pilot.press("y")
        assert (await asyncio.wait_for(task, 2)).action == "allow"


async def test_focus_starts_on_deny_for_irreversible_and_on_allow_otherwise() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request(DELETE))
        assert app.focused is not None and app.focused.id == "choice-deny-once"
        await pilot.press("enter")  # enter on the focused button denies
        assert (await asyncio.wait_for(task, 2)).action == "deny"
        task = await _open(pilot, app, make_request(READ))
        assert app.focused is not None and app.focused.id == "choice-allow-once"
        await pilot.press("tab", "enter")  # next button: allow for the session
        decision = await asyncio.wait_for(task, 2)
        assert (decision.action, decision.scope) == ("allow", "session")


async def test_queue_count_and_one_by_one() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        first = await _open(pilot, app, make_request(request_id="r1", created_at=app.clock.now + 1))
        second = asyncio.create_task(app.approver.request(make_request(READ, request_id="r2", created_at=app.clock.now + 2)))
        third = asyncio.create_task(app.approver.request(make_request(request_id="r3", created_at=app.clock.now + 3)))
        await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, ApprovalScreen)
        assert "2 more waiting" in str(screen.query_one("#approval-head").render())
        assert screen.request.request_id == "r1"
        await pilot.press("y")
        assert (await asyncio.wait_for(first, 2)).action == "allow"
        await pilot.pause(0.05)
        assert app.screen is screen and screen.request.request_id == "r2"  # the same dialog shows the next one
        assert "1 more waiting" in str(screen.query_one("#approval-head").render())
        await pilot.press("n")
        assert (await asyncio.wait_for(second, 2)).action == "deny"
        await pilot.pause(0.05)
        assert screen.request.request_id == "r3"
        assert "more waiting" not in str(screen.query_one("#approval-head").render())
        await pilot.press("a")
        assert (await asyncio.wait_for(third, 2)).scope == "user"
        await pilot.pause(0.05)
        assert not isinstance(app.screen, ApprovalScreen)


async def test_t_applies_the_answer_to_queued_calls_of_the_same_tool() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        first = await _open(pilot, app, make_request(request_id="d1", created_at=app.clock.now + 1))
        other = asyncio.create_task(app.approver.request(make_request(READ, request_id="r1", created_at=app.clock.now + 2)))
        same = asyncio.create_task(app.approver.request(make_request(request_id="d2", created_at=app.clock.now + 3)))
        await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, ApprovalScreen)
        assert "1 queued call(s) of this tool: off" in str(screen.query_one("#approval-keys").render())
        await pilot.press("t")
        assert "ON" in str(screen.query_one("#approval-keys").render())
        await pilot.press("s")
        a, b = await asyncio.wait_for(asyncio.gather(first, same), 2)
        assert a.applies_to_queued and (b.action, b.scope) == ("allow", "session")
        await pilot.pause(0.05)
        assert not other.done() and screen.request.request_id == "r1"  # another tool still asks
        await pilot.press("n")
        assert (await asyncio.wait_for(other, 2)).action == "deny"


async def test_countdown_denies_when_time_is_up() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request(timeout_s=30, created_at=app.clock.now))
        screen = app.screen
        assert "Denied automatically in 30s" in str(screen.query_one("#approval-countdown").render())
        app.clock.now += 12.2
        await pilot.pause(0.3)
        assert "in 18s" in str(screen.query_one("#approval-countdown").render())
        app.clock.now += 20
        decision = await asyncio.wait_for(task, 2)
        assert decision.action == "deny" and decision.decided_by == "timeout"
        await pilot.pause(0.05)
        assert not isinstance(app.screen, ApprovalScreen)


async def test_gate_style_timeout_withdraws_and_closes_the_dialog() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        req = make_request(timeout_s=3600, created_at=app.clock.now)
        task = asyncio.create_task(asyncio.wait_for(app.approver.request(req), 0.3))  # as SafetyGate._ask does
        with pytest.raises(TimeoutError):
            await task
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ApprovalScreen)
        assert [r.request_id for r in app.approver.expired] == [req.request_id]


async def test_dialog_opens_over_another_dialog_and_that_one_survives() -> None:
    app = DialogHost()
    answers: list[bool | None] = []
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(ConfirmModal("Something else", "another dialog is open"), answers.append)
        await pilot.pause()
        task = await _open(pilot, app, make_request())
        assert isinstance(app.screen_stack[-2], ConfirmModal)
        await pilot.press("n")  # answers the approval (on top), not the confirm dialog below
        assert (await asyncio.wait_for(task, 2)).action == "deny"
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and answers == []
        await pilot.press("y")
        assert answers == [True]


async def test_a_screen_opened_over_the_dialog_then_closed() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request())
        app.push_screen(ConfirmModal("Over it", "opened while the dialog waits"))
        await pilot.pause()
        await pilot.press("n")  # closes the confirm dialog only
        await pilot.pause()
        assert isinstance(app.screen, ApprovalScreen) and not task.done()
        await pilot.press("y")
        assert (await asyncio.wait_for(task, 2)).action == "allow"


async def test_request_from_another_thread_and_loop() -> None:
    app = DialogHost()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        result: list[ApprovalDecision] = []

        def other_thread() -> None:
            result.append(asyncio.run(app.approver.request(make_request())))

        thread = threading.Thread(target=other_thread)
        thread.start()
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, ApprovalScreen):
                break
        assert isinstance(app.screen, ApprovalScreen)
        await pilot.press("w")
        await asyncio.to_thread(thread.join, 5)
        assert (result[0].action, result[0].scope) == ("allow", "workspace")


async def test_secrets_in_arguments_are_masked_and_arguments_scroll() -> None:
    app = DialogHost()
    args = {"path": "notes/todo.txt", "api_key": "sk-live-123456789abcdef",
            "lines": [f"line {i}" for i in range(40)]}
    async with app.run_test(size=(100, 32)) as pilot:
        task = await _open(pilot, app, make_request(arguments=args))
        text = app.screen.arguments_text
        assert "notes/todo.txt" in text and "sk-live-123456789abcdef" not in text
        scroller = app.screen.query_one("#approval-args")
        assert scroller.max_scroll_y > 0
        scroller.focus()
        await pilot.press("down", "down")
        assert scroller.scroll_y > 0
        await pilot.press("n")
        await asyncio.wait_for(task, 2)
