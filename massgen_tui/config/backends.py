"""The catalogue of MassGen backend types: default model, known models, API key, base URL, capabilities.

Learned from MassGen 0.1.97 (``massgen/backend/capabilities.py``). ``default_model`` is None when the
backend has no default, so ``model`` must be given. Capabilities use MassGen's names:
``web_search``, ``x_search``, ``code_execution``, ``bash``, ``mcp``, ``filesystem`` (native or through
MCP), ``reasoning``, ``image_generation``, ``image_understanding``, ``audio_generation``,
``audio_understanding``, ``video_generation``, ``video_understanding``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BackendInfo:
    type: str
    name: str
    default_model: str | None
    models: tuple[str, ...]
    api_key_env: str | None  # None: no key needed, or the CLI logs in by itself
    base_url: str | None = None  # the URL used when the config gives none
    base_url_required: bool = False  # True: the config must say where the server is
    capabilities: frozenset[str] = field(default_factory=frozenset)
    filesystem: str = "mcp"  # "native" (the CLI edits files itself), "mcp", or "none"
    openai_compatible: bool = False
    aliases: tuple[str, ...] = ()
    notes: str = ""

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities


def _caps(*names: str) -> frozenset[str]:
    return frozenset(names)


_ALL_MEDIA = ("image_generation", "image_understanding", "audio_generation", "audio_understanding",
              "video_generation", "video_understanding")

_CATALOGUE: tuple[BackendInfo, ...] = (
    BackendInfo("openai", "OpenAI", "gpt-5.4",
                ("gpt-5.4", "gpt-5.2", "gpt-5.1", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini",
                 "gpt-4o", "gpt-4o-mini", "o4-mini"),
                "OPENAI_API_KEY", "https://api.openai.com/v1",
                capabilities=_caps("web_search", "code_execution", "mcp", "filesystem", "reasoning",
                                   "image_generation", "image_understanding", "audio_generation",
                                   "audio_understanding", "video_generation")),
    BackendInfo("claude", "Anthropic Claude", "claude-opus-4-6",
                ("claude-opus-4-6", "claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4",
                 "claude-sonnet-4", "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"),
                "ANTHROPIC_API_KEY", "https://api.anthropic.com",
                capabilities=_caps("web_search", "code_execution", "mcp", "filesystem", "image_understanding",
                                   "audio_understanding", "video_understanding", "programmatic_tool_calling",
                                   "tool_search")),
    BackendInfo("claude_code", "Claude Code", "claude-opus-4-6",
                ("claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-opus-4-5", "claude-opus-4",
                 "claude-sonnet-4", "claude-sonnet-4-20250514"),
                "ANTHROPIC_API_KEY", capabilities=_caps("web_search", "bash", "mcp", "filesystem", "reasoning",
                                                        "image_understanding"),
                filesystem="native", notes="uses `claude login` or ANTHROPIC_API_KEY"),
    BackendInfo("codex", "OpenAI Codex CLI", "gpt-5.4", ("gpt-5.4", "gpt-5.3-codex", "gpt-5-codex", "gpt-4.1"),
                "OPENAI_API_KEY", capabilities=_caps("web_search", "bash", "mcp", "filesystem", "reasoning",
                                                     "image_understanding"),
                filesystem="native", notes="uses `codex login` or OPENAI_API_KEY"),
    BackendInfo("gemini", "Google Gemini", "gemini-3-flash-preview",
                ("gemini-3.1-pro-preview", "gemini-3-flash-preview", "gemini-3-pro-preview", "gemini-2.5-flash",
                 "gemini-2.5-pro"),
                "GEMINI_API_KEY", capabilities=_caps("web_search", "code_execution", "mcp", "filesystem",
                                                     "image_generation", "image_understanding", "video_generation")),
    BackendInfo("gemini_cli", "Gemini CLI", "gemini-3.1-pro-preview",
                ("gemini-3.1-pro-preview", "gemini-3-flash-preview", "gemini-2.5-pro", "gemini-2.5-flash"),
                "GOOGLE_API_KEY", capabilities=_caps("web_search", "bash", "mcp", "filesystem"), filesystem="native"),
    BackendInfo("antigravity_cli", "Antigravity CLI", "gemini-3.5-flash",
                ("gemini-3.5-flash", "gemini-3-flash-preview", "gemini-2.5-pro"),
                "GEMINI_API_KEY", capabilities=_caps("web_search", "bash", "mcp", "filesystem"), filesystem="native"),
    BackendInfo("grok", "xAI Grok", "grok-4.20-0309-reasoning",
                ("grok-4.20-0309-reasoning", "grok-4-1-fast-reasoning", "grok-code-fast-1", "grok-4", "grok-4-fast",
                 "grok-3", "grok-3-mini"),
                "XAI_API_KEY", "https://api.x.ai/v1",
                capabilities=_caps("web_search", "x_search", "code_execution", "mcp", "filesystem",
                                   "image_understanding")),
    BackendInfo("azure_openai", "Azure OpenAI", "gpt-4o", ("gpt-4", "gpt-4o", "gpt-35-turbo"),
                "AZURE_OPENAI_API_KEY",
                capabilities=_caps("web_search", "code_execution", "mcp", "filesystem", "image_generation",
                                   "image_understanding"),
                notes="endpoint from base_url or AZURE_OPENAI_ENDPOINT"),
    BackendInfo("chatcompletion", "OpenAI-compatible Chat Completions", None, (), None,
                base_url_required=True, openai_compatible=True,
                capabilities=_caps("mcp", "filesystem", "audio_understanding", "video_understanding"),
                notes="any OpenAI-compatible server; give base_url, model and api_key if it needs one"),
    BackendInfo("zai", "Z.AI (GLM)", "glm-4.5", ("glm-4.5", "glm-4.5-air"), "ZAI_API_KEY",
                "https://api.z.ai/api/paas/v4/", openai_compatible=True, capabilities=_caps("mcp", "filesystem")),
    BackendInfo("lmstudio", "LM Studio", None, (), None, "http://localhost:1234/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("vllm", "vLLM", None, (), None, "http://localhost:8000/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("sglang", "SGLang", None, (), None, "http://localhost:30000/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("inference", "Inference server (vLLM/SGLang)", None, (), None, "http://localhost:8000/v1",
                openai_compatible=True, capabilities=_caps("mcp", "filesystem")),
    BackendInfo("ag2", "AG2 (AutoGen)", None, (), None, capabilities=_caps("code_execution"), filesystem="none",
                aliases=("autogen",), notes="models come from agent_config.llm_config or group_config"),
    BackendInfo("cerebras", "Cerebras", "llama-3.3-70b", ("llama-3.3-70b", "llama-3.1-70b", "llama-3.1-8b"),
                "CEREBRAS_API_KEY", "https://api.cerebras.ai/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("together", "Together AI", "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8",
                ("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"),
                "TOGETHER_API_KEY", "https://api.together.xyz/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("fireworks", "Fireworks AI", "accounts/fireworks/models/llama-v3p3-70b-instruct",
                ("accounts/fireworks/models/llama-v3p3-70b-instruct", "accounts/fireworks/models/qwen2p5-72b-instruct"),
                "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("groq", "Groq", "llama-3.3-70b-versatile", ("llama-3.3-70b-versatile", "mixtral-8x7b-32768"),
                "GROQ_API_KEY", "https://api.groq.com/openai/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("openrouter", "OpenRouter", None, (), "OPENROUTER_API_KEY", "https://openrouter.ai/api/v1",
                openai_compatible=True,
                capabilities=_caps("web_search", "mcp", "filesystem", "image_generation", "audio_understanding",
                                   "video_understanding")),
    BackendInfo("moonshot", "Kimi (Moonshot AI)", "moonshot-v1-128k",
                ("moonshot-v1-8k", "moonshot-v1-32k", "moonshot-v1-128k"), "MOONSHOT_API_KEY",
                "https://api.moonshot.cn/v1", openai_compatible=True, capabilities=_caps("mcp", "filesystem")),
    BackendInfo("nvidia_nim", "Nvidia NIM", "moonshotai/kimi-k2.5", ("moonshotai/kimi-k2.5",), "NGC_API_KEY",
                "https://integrate.api.nvidia.com/v1", openai_compatible=True, capabilities=_caps("mcp", "filesystem")),
    BackendInfo("nebius", "Nebius AI Studio", "Qwen/Qwen3-4B-fast", ("Qwen/Qwen3-4B-fast",), "NEBIUS_API_KEY",
                "https://api.studio.nebius.ai/v1", openai_compatible=True, capabilities=_caps("mcp", "filesystem")),
    BackendInfo("poe", "Poe", None, (), "POE_API_KEY", "https://api.poe.com/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem")),
    BackendInfo("qwen", "Qwen (Alibaba Cloud)", "qwen-max",
                ("qwen-max", "qwen-plus", "qwen-turbo", "qwen3-vl-30b-a3b-thinking"), "QWEN_API_KEY",
                "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", openai_compatible=True,
                capabilities=_caps("mcp", "filesystem", "audio_understanding", "video_understanding")),
    BackendInfo("uitars", "UI-TARS", "ui-tars-1.5", ("ui-tars-1.5",), "UI_TARS_API_KEY", openai_compatible=True,
                capabilities=_caps("image_understanding"), filesystem="none"),
    BackendInfo("copilot", "GitHub Copilot", "gpt-5-mini", ("gpt-4.1", "gpt-5-mini", "claude-sonnet-4"), None,
                capabilities=_caps("web_search", "mcp", "filesystem")),
)

BACKENDS: dict[str, BackendInfo] = {info.type: info for info in _CATALOGUE}
ALIASES: dict[str, str] = {alias: info.type for info in _CATALOGUE for alias in info.aliases}
BACKEND_TYPES: tuple[str, ...] = tuple(BACKENDS) + tuple(ALIASES)

# Backend flags and the capability each needs.
CAPABILITY_FLAGS: dict[str, str] = {
    "enable_web_search": "web_search",
    "enable_x_search": "x_search",
    "enable_code_execution": "code_execution",
    "enable_code_interpreter": "code_execution",
}


def backend_info(backend_type: str) -> BackendInfo | None:
    """The catalogue entry for a type or an alias (``autogen`` -> ``ag2``)."""
    return BACKENDS.get(backend_type) or BACKENDS.get(ALIASES.get(backend_type, ""))
