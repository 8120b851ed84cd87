"""Ollama's files for a GGUF repo: ``template`` (Go template), ``system`` and ``params``.

When a Hub repo holding GGUF files also holds these three files, ``ollama run hf.co/<repo>:<QUANT>`` uses them
instead of guessing: the aya turn tokens, the Space's Persian medical system prompt with its disclaimer, the
stop token and the Space's default sampling settings.
"""

from __future__ import annotations

import json

from hub_tools.aya import END_OF_TURN_TOKEN, ROLE_TOKENS
from hub_tools.aya import START_OF_TURN_TOKEN as START_OF_TURN
from hub_tools.space_text import DEFAULT_SYSTEM_PROMPT, DISCLAIMER_FA


#: aya-expanse's chat format as an Ollama Go template (the BOS token comes from the GGUF's add_bos_token).
OLLAMA_TEMPLATE = (
    "{{- if .System }}" + START_OF_TURN + ROLE_TOKENS["system"] + "{{ .System }}" + END_OF_TURN_TOKEN + "{{ end }}"
    "{{- range .Messages }}"
    '{{- if eq .Role "user" }}' + START_OF_TURN + ROLE_TOKENS["user"] + "{{ .Content }}" + END_OF_TURN_TOKEN +
    '{{- else if eq .Role "assistant" }}' + START_OF_TURN + ROLE_TOKENS["assistant"] + "{{ .Content }}"
    + END_OF_TURN_TOKEN + "{{- end }}"
    "{{- end }}" + START_OF_TURN + ROLE_TOKENS["assistant"]
)

#: The Space's default sampling settings (space/app.py sliders) and aya's stop token.
OLLAMA_PARAMS = {
    "stop": [END_OF_TURN_TOKEN],
    "temperature": 0.6,
    "top_p": 0.9,
    "repeat_penalty": 1.1,
    "num_ctx": 4096,
}


def system_prompt() -> str:
    """The Space's system prompt followed by its Persian disclaimer."""
    return f"{DEFAULT_SYSTEM_PROMPT}\n\n{DISCLAIMER_FA}"


def ollama_files() -> dict[str, str]:
    """``{"template": ..., "system": ..., "params": ...}``: the contents of the three files, by repo path."""
    return {
        "template": OLLAMA_TEMPLATE,
        "system": system_prompt(),
        "params": json.dumps(OLLAMA_PARAMS, indent=2) + "\n",
    }
