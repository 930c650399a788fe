"""tools(): the LLM tool definitions, in the three shapes, and answering a tool call."""

import json

import pytest

NAMES = ["quote", "best", "can_stack", "eligibility", "gap", "refund", "equivalent", "offers"]


def test_openai(rules):
    tools = rules.tools()
    assert tools == rules.tools("openai")
    assert [t["type"] for t in tools] == ["function"] * len(NAMES)
    assert [t["function"]["name"] for t in tools] == NAMES
    quote = tools[0]["function"]
    assert quote["strict"] is True
    params = quote["parameters"]
    assert params["type"] == "object"
    assert params["additionalProperties"] is False
    assert params["required"] == ["cart", "context", "coupons"]
    # The file's coupon IDs are an enum, so a model maps 店铺券 to shop20.
    assert "shop20" in json.dumps(params["properties"]["coupons"])


def test_anthropic_and_mcp_carry_the_same_schemas(rules):
    openai = {t["function"]["name"]: t["function"]["parameters"] for t in rules.tools("openai")}
    anthropic = rules.tools("anthropic")
    assert [t["name"] for t in anthropic] == NAMES
    assert {t["name"]: t["input_schema"] for t in anthropic} == openai
    mcp = rules.tools("mcp")
    assert list(mcp) == ["tools"]
    assert {t["name"]: t["inputSchema"] for t in mcp["tools"]} == openai


def test_a_bad_format_is_a_value_error(rules):
    with pytest.raises(ValueError, match="openai"):
        rules.tools("gemini")


def test_a_strict_tool_call_is_answered(rules):
    """A strict model sends every declared argument, null when not used."""
    for tool in rules.tools("openai"):
        if tool["function"]["name"] != "can_stack":
            continue
        args = {name: None for name in tool["function"]["parameters"]["properties"]}
        args.update(a="shop20", b="plat")
        answer = rules.answer(dict(args, query="can_stack"), raise_errors=False)
        assert answer == rules.can_stack("shop20", "plat")
