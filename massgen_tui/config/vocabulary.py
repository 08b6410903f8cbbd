"""Keys MassGen knows, per section, beyond those typed in :mod:`massgen_tui.config.models`.

Collected from MassGen 0.1.97: its backend code and ``_excluded_params.py``, ``agent_config.py``
(``AgentConfig``, ``CoordinationConfig``), and the keys its ~400 shipped example configs use. The
validator warns about a key in none of these sets and names the closest known key.
"""

from __future__ import annotations

# backend keys (provider API parameters pass through to the API)
BACKEND_KEYS: frozenset[str] = frozenset({
    'agent_config', 'agent_id', 'agent_temporary_workspace', 'agent_temporary_workspace_parent', 'allow_midstream_peer_updates_before_checklist_submit',
    'allowed_tools', 'api_key', 'api_version', 'append_system_prompt', 'approval_mode',
    'audio_generation_backend', 'audio_generation_model', 'auto_discover_custom_tools', 'azure_endpoint', 'base_url',
    'betas', 'bootstrap_max_per_agent_per_round', 'bootstrap_max_total', 'chat_template_kwargs', 'checklist_first_answer',
    'checklist_require_gap_report', 'checkpoint_enabled', 'checkpoint_gated_patterns', 'checkpoint_guidance', 'checkpoint_mode',
    'code_execution', 'command_line_allowed_commands', 'command_line_blocked_commands', 'command_line_docker_cpu_limit', 'command_line_docker_credentials',
    'command_line_docker_enable_sudo', 'command_line_docker_image', 'command_line_docker_memory_limit', 'command_line_docker_network_mode', 'command_line_docker_packages',
    'command_line_execution_mode', 'command_line_srt_allow_read', 'command_line_srt_allow_unix_sockets', 'command_line_srt_deny_read', 'command_line_srt_network_allowed_domains',
    'command_line_srt_read_mode', 'computer_environment', 'concurrent_tool_execution', 'context_paths', 'context_write_access_enabled',
    'coordination_mode', 'copilot_permission_policy', 'copilot_system_message_mode', 'criteria_mode', 'custom_tools',
    'custom_tools_path', 'cwd', 'debug_delay_after_n_tools', 'debug_delay_seconds', 'defer_loading',
    'defer_peer_updates_until_restart', 'deployment_name', 'direct_mcp_servers', 'disable_auto_update', 'disable_final_only_round_capture_fallback',
    'disable_parallel_tool_use', 'disallowed_tools', 'display_height', 'display_width', 'drift_conflict_policy',
    'enable_audio_generation', 'enable_code_based_tools', 'enable_code_execution', 'enable_code_interpreter', 'enable_computer_use',
    'enable_execution_trace_analyzer', 'enable_file_generation', 'enable_image_generation', 'enable_interrupt_resume', 'enable_mcp_command_line',
    'enable_multimodal_tools', 'enable_nlip', 'enable_novelty_on_iteration', 'enable_programmatic_flow', 'enable_quality_rethink_on_iteration',
    'enable_rate_limit', 'enable_strict_tool_use', 'enable_tool_search', 'enable_video_generation', 'enable_web_search',
    'enable_x_search', 'enforce_read_before_delete', 'engine', 'exclude_custom_tools', 'exclude_file_operation_mcps',
    'exclude_tools', 'extra_body', 'extra_headers', 'extra_query', 'fairness_enabled',
    'fairness_lead_cap_answers', 'filesystem_session_id', 'final_answer_strategy', 'frequency_penalty', 'function_calling_mode',
    'gap_report_mode', 'group_config', 'hooks', 'image_generation_backend', 'image_generation_model',
    'improvements', 'include_thoughts', 'input', 'instance_id', 'interrupt_poll_seconds',
    'learning_capture_mode', 'logprobs', 'main_agent', 'max_checklist_calls_per_round', 'max_completion_tokens',
    'max_concurrent_tools', 'max_incomplete_response_retries', 'max_interrupts_per_turn', 'max_midstream_injections_per_round', 'max_results',
    'max_thinking_tokens', 'max_tokens', 'mcp_servers', 'media_max_file_size_mb', 'model',
    'model_reasoning_effort', 'multimodal_config', 'n', 'nlip', 'nlip_config',
    'novelty_injection', 'orchestrator_managed_round_evaluator', 'organization', 'output_schema', 'parallel_tool_calls',
    'permission_mode', 'permission_policy', 'permissions', 'plan_depth', 'plan_target_chunks',
    'plan_target_steps', 'plan_thoroughness', 'presence_penalty', 'presenter_agent', 'reasoning',
    'response_format', 'round_evaluator_before_checklist', 'round_evaluator_refine', 'round_evaluator_skip_synthesis', 'round_evaluator_transformation_pressure',
    'search_context_size', 'search_prompt', 'seed', 'session_id', 'session_send_timeout_seconds',
    'session_storage_base', 'setting_sources', 'shared_tools_directory', 'skip_health_check', 'standalone_checkpoint_enabled',
    'standalone_checkpoint_include_workspace_context', 'standalone_checkpoint_mode', 'standalone_checkpoint_single', 'standalone_checkpoint_team_config', 'stop',
    'stream', 'subagent_types', 'subtask', 'system_message', 'system_message_mode',
    'system_prompt', 'temperature', 'text', 'thinking', 'thinking_budget',
    'thinking_config', 'timeout', 'tool_choice', 'tool_search_variant', 'top_k',
    'top_p', 'type', 'upload_files', 'use_default_prompt', 'use_mcpwrapped_for_tool_filtering',
    'use_no_roots_wrapper', 'use_two_tier_workspace', 'user', 'video_generation_backend', 'video_generation_model',
    'vote_only', 'voting_sensitivity', 'voting_threshold', 'websocket_mode', 'write_mode',
})

# orchestrator keys
ORCHESTRATOR_KEYS: frozenset[str] = frozenset({
    'agent_temporary_workspace', 'allow_midstream_peer_updates_before_checklist_submit', 'answer_novelty_requirement', 'audio_generation_backend', 'checklist_first_answer',
    'checklist_require_gap_report', 'context_paths', 'coordination', 'coordination_mode', 'debug_final_answer',
    'defer_peer_updates_until_restart', 'defer_voting_until_all_answered', 'disable_injection', 'docker', 'dspy',
    'enable_multimodal_tools', 'enable_nlip', 'fairness_enabled', 'fairness_lead_cap_answers', 'final_answer_strategy',
    'gap_report_mode', 'image_generation_backend', 'max_checklist_calls_per_round', 'max_midstream_injections_per_round', 'max_new_answers_global',
    'max_new_answers_per_agent', 'max_turns', 'nlip', 'nlip_config', 'presenter_agent',
    'session_storage', 'skills_directory', 'skip_coordination_rounds', 'skip_final_presentation', 'skip_voting',
    'snapshot_storage', 'timeout', 'type', 'video_generation_backend', 'voting_sensitivity',
    'voting_threshold',
})

# orchestrator.coordination keys
COORDINATION_KEYS: frozenset[str] = frozenset({
    'auto_trace_analysis', 'background_subagents', 'bootstrap_max_per_agent_per_round', 'bootstrap_max_total', 'broadcast',
    'broadcast_sensitivity', 'broadcast_timeout', 'broadcast_wait_by_default', 'checklist_criteria_inline', 'checklist_criteria_preset',
    'checkpoint_enabled', 'checkpoint_gated_patterns', 'checkpoint_guidance', 'checkpoint_mode', 'compression_target_ratio',
    'criteria_mode', 'disable_final_only_round_capture_fallback', 'drift_conflict_policy', 'enable_agent_task_planning', 'enable_changedoc',
    'enable_evaluator_personas', 'enable_execution_trace_analyzer', 'enable_memory_filesystem_mode', 'enable_novelty_on_iteration', 'enable_planning_mode',
    'enable_quality_rethink_on_iteration', 'enable_subagents', 'evaluation_criteria_generator', 'evolving_criteria', 'evolving_criteria_max_evolutions',
    'evolving_criteria_min_high_score_count', 'evolving_criteria_score_threshold', 'evolving_criteria_timeout', 'fast_iteration_mode', 'improvements',
    'learning_capture_mode', 'load_previous_session_skills', 'massgen_skills', 'max_broadcasts_per_agent', 'max_internal_fix_loops',
    'max_orchestration_restarts', 'max_tasks_per_plan', 'max_verifications_per_round', 'novelty_injection', 'orchestrator_managed_round_evaluator',
    'persona_generator', 'plan_depth', 'plan_target_chunks', 'plan_target_steps', 'planning_mode_instruction',
    'pre_collab_voting_threshold', 'prompt_improver', 'response_depth', 'resume_from_log', 'round_evaluator_before_checklist',
    'round_evaluator_refine', 'round_evaluator_skip_synthesis', 'round_evaluator_transformation_pressure', 'skills_directory', 'skip_redundant_scaffolding',
    'standalone_checkpoint', 'standalone_checkpoint_enabled', 'standalone_checkpoint_include_workspace_context', 'standalone_checkpoint_mode', 'standalone_checkpoint_single',
    'standalone_checkpoint_team_config', 'subagent_default_timeout', 'subagent_host_launch_prefix', 'subagent_max_concurrent', 'subagent_max_timeout',
    'subagent_min_timeout', 'subagent_orchestrator', 'subagent_round_timeouts', 'subagent_runtime_fallback_mode', 'subagent_runtime_mode',
    'subagent_types', 'task_decomposer', 'task_planning_filesystem_mode', 'use_skills', 'use_two_tier_workspace',
    'web_review', 'write_mode',
})

# timeout_settings keys
TIMEOUT_KEYS: frozenset[str] = frozenset({
    'initial_round_timeout_seconds', 'orchestrator_timeout_seconds', 'round_timeout_grace_seconds', 'subsequent_round_timeout_seconds',
})

# agent keys (next to id, backend, system_message)
AGENT_KEYS: frozenset[str] = frozenset({
    'append_system_prompt', 'backend', 'enable_nlip', 'id', 'nlip',
    'subtask', 'system_message', 'voting_sensitivity', 'voting_threshold',
})

# top-level keys (display and V1 keys are legacy: see LEGACY in validation)
TOP_LEVEL_KEYS: frozenset[str] = frozenset({
    'agent', 'agents', 'config_version', 'hooks', 'memory',
    'nlip', 'orchestrator', 'safety', 'task', 'timeout_settings',
    'ui',
})

# MCP server keys
MCP_SERVER_KEYS: frozenset[str] = frozenset({
    'allowed_tools', 'args', 'command', 'cwd', 'defer_loading',
    'description', 'enabled', 'env', 'exclude_tools', 'headers',
    'http_read_timeout', 'name', 'security', 'sse_read_timeout', 'timeout',
    'type', 'url',
})

# MCP server security keys
MCP_SECURITY_KEYS: frozenset[str] = frozenset({
    'allow_localhost', 'allow_private_ips', 'allowed_executables', 'allowed_hostnames', 'env',
    'level', 'resolve_dns',
})

# orchestrator.context_paths[] keys
CONTEXT_PATH_KEYS: frozenset[str] = frozenset({
    'path', 'permission', 'protected_paths',
})

# ui keys (type is legacy)
UI_KEYS: frozenset[str] = frozenset({
    'display_type', 'logging_enabled', 'automation_mode', 'enable_logging', 'theme',
})

