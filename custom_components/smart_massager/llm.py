"""LLM tools: the massager's intents for LLM-based conversation agents.

The tools are the same handlers Assist's sentences reach (intent.py). The prompt fragment tells the
model what each exposed massager offers (programs, zones, ranges) and what gentler and firmer do.
"""

from __future__ import annotations

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.llm import LLMTools
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.llm import LLM_API_ASSIST, IntentTool, LLMContext, Tool, ToolAnnotations

from .const import DOMAIN
from .coordinator import MassagerConfigEntry
from .intent import HANDLERS


def _exposed_massagers(hass: HomeAssistant, assistant: str) -> list[MassagerConfigEntry]:
    registry = er.async_get(hass)
    entries: list[MassagerConfigEntry] = []
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED:
            continue
        fans = [
            reg.entity_id
            for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
            if reg.domain == "fan"
        ]
        if any(async_should_expose(hass, assistant, entity_id) for entity_id in fans):
            entries.append(entry)
    return entries


def massager_prompt(entries: list[MassagerConfigEntry]) -> str:
    """What the model needs to know to use the tools well."""
    lines = [
        "Smart massagers: massage is comfort and relief, not medical treatment.",
        (
            "Use the SmartMassager tools for programs, routines, gentler/firmer, heat, pause,"
            " resume, stop and questions about the running massage; pass the massager's name"
            " when there are several. Gentler and firmer move the intensity by `levels`"
            " (default 1) within the device's range; if the user says it is too firm, use"
            " gentler at once."
        ),
        (
            "Sessions end by themselves; a new program or routine is refused while one runs,"
            " so stop first only if the user asks for something else."
        ),
    ]
    for entry in entries:
        caps = entry.runtime_data.info.capabilities
        programs = ", ".join(f"{choice.id} ({choice.name})" for choice in caps.programs)
        zones = ", ".join(choice.id for choice in caps.zones)
        lines.append(
            f"- {entry.title}: programs {programs}; zones {zones}; intensity"
            f" {caps.intensity.minimum}-{caps.intensity.maximum}; minutes"
            f" {caps.session_minutes.minimum}-{caps.session_minutes.maximum};"
            f" heat {'yes' if caps.heat else 'no'}; pause {'yes' if caps.pause else 'no'}."
        )
    return "\n".join(lines)


# Starting, stopping and changing a massage acts on the user's own device: not idempotent in
# general (a second "firmer" goes one level further), and never outside the home.
ANNOTATIONS = ToolAnnotations(idempotent=False, open_world=False)


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """The massager tools, when at least one massager is exposed to the assistant."""
    if api_id != LLM_API_ASSIST or not llm_context.assistant:
        return None
    entries = _exposed_massagers(hass, llm_context.assistant)
    if not entries:
        return None
    tools: list[Tool] = [
        IntentTool(
            f"{DOMAIN}__{handler.intent_type}",
            handler,
            title=handler.intent_type.removeprefix("SmartMassager"),
            integration=DOMAIN,
            annotations=ANNOTATIONS,
        )
        for handler in HANDLERS
    ]
    return LLMTools(tools=tools, prompt=massager_prompt(entries))
