"""The Space's MCP server, driven by the `mcp` package's own client over Gradio's streamable HTTP endpoint: the tools
are listed, and `respond` answers (the same gradio[mcp] the Space's requirements.txt pins)."""

from __future__ import annotations

from importlib import metadata

import anyio
import pytest


pytest.importorskip("mcp", reason="the mcp client comes with gradio[mcp] (the space extra of pyproject.toml)")


async def _session_call(url: str, tool: str, arguments: dict) -> tuple[list[str], object]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    with anyio.fail_after(120):
        async with streamablehttp_client(url) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = [t.name for t in (await session.list_tools()).tools]
                return tools, await session.call_tool(tool, arguments)


def call_tool(app_url: str, tool: str, arguments: dict):
    return anyio.run(_session_call, f"{app_url}gradio_api/mcp/", tool, arguments)


def test_the_respond_tool_answers(app_url):
    tools, result = call_tool(app_url, "respond", {"message": "سلام، برای سرماخوردگی چه کنم؟", "max_new_tokens": 12})
    assert "respond" in tools and "load_leaderboard" in tools
    assert not result.isError, result.content
    reply = "".join(part.text for part in result.content if part.type == "text")
    assert reply.strip() and "pop index" not in reply


def test_the_respond_tool_puts_emergency_guidance_first(app_url):
    _, result = call_tool(app_url, "respond", {"message": "پدرم الان درد شدید قفسه سینه دارد", "max_new_tokens": 4})
    assert not result.isError, result.content
    reply = "".join(part.text for part in result.content if part.type == "text")
    assert "115" in reply


def test_the_tested_gradio_is_the_one_the_space_pins():
    from hub_tools.space_repo import render_requirements

    pins = dict(line.split("==") for line in render_requirements().splitlines() if "==" in line)
    assert pins["gradio[mcp]"] == metadata.version("gradio")
    assert metadata.version("mcp")  # installed by that extra
