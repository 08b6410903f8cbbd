"""Token prices for a few well-known models (USD per million tokens, input/output; from MassGen's
token_manager tables), to show a run's cost. Unknown models have no cost (``None``), not zero."""

from __future__ import annotations

PRICES: dict[str, tuple[float, float]] = {
    "gpt-5.4": (2.5, 15.0), "gpt-5.2": (1.75, 14.0), "gpt-5-nano": (0.05, 0.4), "gpt-5-mini": (0.25, 2.0),
    "gpt-5": (1.25, 10.0), "gpt-4o-mini": (0.15, 0.6), "gpt-4o": (2.5, 10.0), "gpt-4-turbo": (10.0, 30.0),
    "gpt-4": (30.0, 60.0), "gpt-3.5-turbo": (0.5, 1.5), "o1-mini": (3.0, 12.0), "o1-preview": (15.0, 60.0),
    "o3-mini": (1.1, 4.4),
    "claude-haiku-4-5": (1.0, 5.0), "claude-sonnet-4-5": (3.0, 15.0), "claude-opus-4-1": (15.0, 75.0),
    "claude-opus-4": (15.0, 75.0), "claude-sonnet-4": (3.0, 15.0), "claude-3-5-sonnet": (3.0, 15.0),
    "claude-3-5-haiku": (0.8, 4.0), "claude-3-haiku": (0.25, 1.25), "claude-3-opus": (15.0, 75.0),
    "gemini-1.5-pro": (1.25, 5.0), "gemini-1.5-flash": (0.075, 0.3), "gemini-3.1-pro-preview": (2.0, 12.0),
    "grok-4-1-fast": (0.2, 0.5), "grok-code-fast-1": (0.2, 1.5), "grok-4": (3.0, 15.0), "grok-3-mini": (1.0, 3.0),
    "grok-3": (3.0, 15.0),
    "llama-3.3-70b-versatile": (0.59, 0.79), "llama-3.1-8b-instant": (0.05, 0.08),
    "deepseek-reasoner": (0.14, 2.8), "deepseek-chat": (0.14, 0.28),
}


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """The cost by the longest known model-name prefix (``openai/gpt-4o-2024-08-06`` -> gpt-4o)."""
    name = model.lower().rsplit("/", 1)[-1].replace(".", "-")
    best = ""
    for known in PRICES:
        if name.startswith(known.replace(".", "-")) and len(known) > len(best):
            best = known
    if not best:
        return None
    price_in, price_out = PRICES[best]
    return (input_tokens * price_in + output_tokens * price_out) / 1_000_000
