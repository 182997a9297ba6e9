// The Smart Massager card: one massager's controls, its countdown and its week of massage.
//
// Served by the integration itself (card.py registers this file under a versioned URL), with no
// build step and no network: plain custom elements, so the file in the repository is the file
// the browser runs. The pure parts (finding a massager's entities, zones on the body, the
// countdown, the week's minutes, words) are exported and tested with Node's own test runner
// (tests/card); the elements are tested in Chromium (tests/browser/test_card.py).

export const CARD_TYPE = "smart-massager-card";
const EDITOR_TYPE = "smart-massager-card-editor";
const DOMAIN = "smart_massager";

// Which part of the massager an entity is, by its domain and translation key (the integration's
// own entity descriptions: fan.py, select.py, number.py, switch.py, sensor.py, button.py).
const ROLES = {
  "fan.massage": "massage",
  "select.program": "program",
  "select.zone": "zone",
  "number.intensity": "intensity",
  "number.session_length": "sessionLength",
  "number.zone_intensity": "levelZones",
  "switch.heat": "heat",
  "select.heat_level": "heatLevel",
  "sensor.status": "status",
  "sensor.session_ends": "endsAt",
  "sensor.remaining": "remaining",
  "sensor.routine": "routine",
  "sensor.massage_time": "massageTime",
  "sensor.sessions": "sessions",
  "button.pause": "pause",
  "button.resume": "resume",
};

// The parts a user can hide in the editor; all are shown unless switched off.
export const PARTS = ["body", "programs", "intensity", "session", "heat", "routines", "history"];

// The body seen from the back. Composite zones cover several areas; the spine is drawn but is
// never an area (nothing massages the spine itself). A bed's head and foot sections massage the
// upper body and the legs of whoever lies on it.
export const AREAS = ["head", "neck", "shoulders", "upper_back", "lower_back", "hips", "arms", "legs"];
const BACK = ["shoulders", "upper_back", "lower_back"];
const ZONE_AREAS = {
  neck: ["neck"],
  shoulders: ["shoulders"],
  shoulder: ["shoulders"],
  upper_back: ["upper_back"],
  lower_back: ["lower_back"],
  waist: ["lower_back"],
  full_back: BACK,
  back: BACK,
  hip: ["hips"],
  arm: ["arms"],
  leg: ["legs"],
  leg_hip: ["hips", "legs"],
  leg_hip_arm: ["arms", "hips", "legs"],
  all: ["neck", ...BACK, "hips", "arms", "legs"],
  head: ["neck", "shoulders", "upper_back"],
  foot: ["legs"],
};

const NO_ROUTINE = "none";
const CUSTOM_ROUTINE = "custom";
const MAX_LABEL = 60; // longer names from a device are cut: the card is not their place

export const WORDS = {
  en: {
    start: "Start",
    pause: "Pause",
    resume: "Resume",
    stop: "Stop",
    heat: "Heat",
    heat_on: "Heat on",
    heat_off: "Heat off",
    heat_level: "Heat level",
    intensity: "Intensity",
    session_length: "Session length",
    minutes_short: "{n} min",
    shorter: "Shorter session",
    longer: "Longer session",
    length_locked: "The length is set before a session starts.",
    programs: "Programs",
    program_starts: "A program starts the massage.",
    zones: "Zones",
    body: "Where the massage works",
    routines: "Routines",
    stop_routine: "Stop the routine",
    routine_step: "{routine}: step {step} of {total}",
    routine_next: "Next: {next}",
    routine_last: "Last step",
    time_left: "Time left",
    ends_at: "Ends at {time}",
    paused_left: "Paused, {time} left",
    not_running: "Not running",
    unavailable: "{name} is unavailable: Home Assistant cannot reach it.",
    error: "{name} reports a fault. Stop it and check the device.",
    ha_timer: "Home Assistant is the timer: the massager has none of its own.",
    today: "Today",
    this_week: "This week",
    week_chart: "Minutes of massage on each of the last 7 days",
    history_unavailable: "No statistics yet: the recorder keeps them once it has run.",
    no_device: "Choose a massager in the card's editor.",
    not_found: "This massager is not in Home Assistant any more.",
    failed: "Did not work: {message}",
    editor_device_id: "Massager",
    editor_title: "Title (optional)",
    editor_body: "Body and zones",
    editor_programs: "Programs",
    editor_intensity: "Intensity",
    editor_session: "Session length",
    editor_heat: "Heat",
    editor_routines: "Routines",
    editor_history: "Week of massage",
    picker_name: "Smart Massager",
    picker_description: "Programs, zones on the body, intensity, heat, a countdown and your week.",
  },
  de: {
    start: "Start",
    pause: "Pause",
    resume: "Fortsetzen",
    stop: "Stopp",
    heat: "Wärme",
    heat_on: "Wärme an",
    heat_off: "Wärme aus",
    heat_level: "Wärmestufe",
    intensity: "Intensität",
    session_length: "Dauer",
    minutes_short: "{n} Min.",
    shorter: "Kürzere Massage",
    longer: "Längere Massage",
    length_locked: "Die Dauer wird vor dem Start festgelegt.",
    programs: "Programme",
    program_starts: "Ein Programm startet die Massage.",
    zones: "Zonen",
    body: "Wo die Massage wirkt",
    routines: "Abläufe",
    stop_routine: "Ablauf beenden",
    routine_step: "{routine}: Schritt {step} von {total}",
    routine_next: "Danach: {next}",
    routine_last: "Letzter Schritt",
    time_left: "Restzeit",
    ends_at: "Endet um {time}",
    paused_left: "Pausiert, noch {time}",
    not_running: "Läuft nicht",
    unavailable: "{name} ist nicht erreichbar: Home Assistant bekommt keine Verbindung.",
    error: "{name} meldet eine Störung. Bitte stoppen und das Gerät prüfen.",
    ha_timer: "Home Assistant ist der Timer: Das Gerät hat keinen eigenen.",
    today: "Heute",
    this_week: "Diese Woche",
    week_chart: "Minuten Massage an jedem der letzten 7 Tage",
    history_unavailable: "Noch keine Statistik: Der Recorder legt sie an, sobald er gelaufen ist.",
    no_device: "Im Editor der Karte ein Massagegerät wählen.",
    not_found: "Dieses Massagegerät gibt es in Home Assistant nicht mehr.",
    failed: "Hat nicht geklappt: {message}",
    editor_device_id: "Massagegerät",
    editor_title: "Titel (optional)",
    editor_body: "Körper und Zonen",
    editor_programs: "Programme",
    editor_intensity: "Intensität",
    editor_session: "Dauer",
    editor_heat: "Wärme",
    editor_routines: "Abläufe",
    editor_history: "Massage der Woche",
    picker_name: "Smart Massager",
    picker_description: "Programme, Zonen am Körper, Intensität, Wärme, Countdown und deine Woche.",
  },
};

/** The card's language: German for any German locale, else English. */
export function languageOf(hass) {
  const language = String(hass?.locale?.language || hass?.language || "en").toLowerCase();
  return language === "de" || language.startsWith("de-") ? "de" : "en";
}

/** A sentence of the card in `language`, its {placeholders} filled in. */
export function say(language, key, values = {}) {
  const template = (WORDS[language] || WORDS.en)[key] ?? WORDS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    name in values ? String(values[name]) : whole,
  );
}

/** Text for HTML: every string from a device or another user goes through here. */
export function esc(value) {
  return String(value ?? "")
    .slice(0, 4 * MAX_LABEL)
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function cut(text) {
  const value = String(text ?? "");
  return value.length > MAX_LABEL ? `${value.slice(0, MAX_LABEL - 1)}…` : value;
}

/** The massager's entities on `deviceId`, by role; level zones as a sorted list. */
export function massagerEntities(hass, deviceId) {
  const found = { levelZones: [] };
  for (const entry of Object.values(hass?.entities || {})) {
    if (entry.device_id !== deviceId || entry.platform !== DOMAIN) continue;
    const role = ROLES[`${entry.entity_id.split(".")[0]}.${entry.translation_key}`];
    if (role === "levelZones") found.levelZones.push(entry.entity_id);
    else if (role) found[role] = entry.entity_id;
  }
  found.levelZones.sort();
  return found;
}

/** The first massager's device (for the card picker's preview), or undefined. */
export function firstMassager(hass) {
  const fans = Object.values(hass?.entities || {}).filter(
    (entry) => entry.platform === DOMAIN && entry.translation_key === "massage" && entry.device_id,
  );
  fans.sort((a, b) => a.entity_id.localeCompare(b.entity_id));
  return fans[0]?.device_id;
}

/** The body areas a zone covers (none for a zone that is not a place on the body, e.g. wave). */
export function areasForZone(zone) {
  return ZONE_AREAS[zone] || [];
}

/** The zone a tap on `area` chooses: of the zones that cover it, the one covering least. */
export function zoneForArea(area, zones) {
  const covering = zones.filter((zone) => areasForZone(zone).includes(area));
  covering.sort((a, b) => areasForZone(a).length - areasForZone(b).length);
  return covering[0];
}

/** Seconds until `endsAt` (an ISO time), never below 0; null without a time. */
export function secondsLeft(endsAt, now) {
  const end = Date.parse(endsAt ?? "");
  if (Number.isNaN(end)) return null;
  return Math.max(0, Math.round((end - now) / 1000));
}

/** 14:59, or 1:02:03 from an hour on. */
export function clock(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** How much of the ring is left: 1 at the start, 0 at the end. */
export function ringFraction(left, totalSeconds) {
  if (left == null || !(totalSeconds > 0)) return 0;
  return Math.min(1, Math.max(0, left / totalSeconds));
}

function number(value) {
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function dayKey(ms, timeZone) {
  // YYYY-MM-DD of the day in `timeZone`, from the parts (no locale's date format relied on).
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(ms));
  const part = (type) => parts.find((item) => item.type === type)?.value ?? "01";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

// Minutes in one of Home Assistant's duration units (a user may show the sensor in hours).
const MINUTES_PER = { s: 1 / 60, min: 1, h: 60, d: 1440 };

/** A duration sensor's state in minutes; null if it is no number or in an unknown unit. */
export function minutesOf(stateObj) {
  const value = number(stateObj?.state);
  const per = MINUTES_PER[stateObj?.attributes?.unit_of_measurement ?? "min"];
  return value == null || per == null ? null : value * per;
}

function daysBefore(key, count) {
  const [year, month, day] = key.split("-").map(Number);
  const noon = Date.UTC(year, month - 1, day - count, 12);
  return new Date(noon).toISOString().slice(0, 10);
}

/**
 * Minutes of massage on each of the last 7 days (oldest first), today's and the week's.
 *
 * `rows` are the hourly rows of recorder/statistics_during_period for the massage time sensor
 * (`start` in ms or ISO, `change` and `state`). The recorder compiles an hour only when it is
 * over, so what came since its last row is the sensor's state now less that row's state (a total
 * that went down was reset: then all of it is new). Without any row there is nothing to measure
 * the total against (it counts since the massager was added), so no tail: `compiled` is false.
 */
export function weekOfMassage(rows, currentMinutes, now, timeZone) {
  const today = dayKey(now, timeZone);
  const days = [];
  for (let back = 6; back >= 0; back -= 1) days.push({ day: daysBefore(today, back), minutes: 0 });
  const byDay = new Map(days.map((entry) => [entry.day, entry]));
  let lastState = null;
  for (const row of rows || []) {
    const start = typeof row.start === "number" ? row.start : Date.parse(row.start);
    const entry = byDay.get(dayKey(start, timeZone));
    const change = number(row.change);
    if (entry && change != null && change > 0) entry.minutes += change;
    if (number(row.state) != null) lastState = number(row.state);
  }
  const current = number(currentMinutes);
  if (current != null && lastState != null) {
    byDay.get(today).minutes += current < lastState ? current : current - lastState;
  }
  for (const entry of days) entry.minutes = Math.round(entry.minutes * 10) / 10;
  return {
    days,
    compiled: lastState != null,
    today: byDay.get(today).minutes,
    week: Math.round(days.reduce((sum, entry) => sum + entry.minutes, 0) * 10) / 10,
  };
}

function stateOf(hass, entityId) {
  const state = entityId ? hass.states[entityId] : undefined;
  return state && state.state !== "unavailable" ? state : undefined;
}

function shown(hass, stateObj, value) {
  if (!stateObj) return "";
  const text = hass.formatEntityState ? hass.formatEntityState(stateObj, value) : value ?? stateObj.state;
  return cut(text);
}

export function optionName(hass, stateObj, option) {
  // A select or enum sensor's option in the user's language (the integration's translations);
  // an option it has no words for (a bed's "mode_2") by the name the device gives it.
  const shown = hass.formatEntityState ? hass.formatEntityState(stateObj, option) : option;
  const named = stateObj?.attributes?.option_names?.[option];
  return cut(shown === option && typeof named === "string" && named ? named : shown);
}

function entityName(hass, stateObj) {
  const name = stateObj?.attributes?.friendly_name ?? stateObj?.entity_id ?? "";
  const device = stateObj && hass.entities?.[stateObj.entity_id]?.device_id;
  const deviceName = device ? hass.devices?.[device]?.name_by_user || hass.devices?.[device]?.name : "";
  // "Bed Head intensity" on a card about the bed reads better as "Head intensity".
  return cut(deviceName && name.startsWith(`${deviceName} `) ? name.slice(deviceName.length + 1) : name);
}

function rangeOf(stateObj) {
  const { min = 0, max = 10, step = 1 } = stateObj.attributes;
  return { min: Number(min), max: Number(max), step: Number(step) || 1 };
}

/**
 * The massager's device: `device_id` (what the editor writes) or, in YAML written by hand where
 * device ids are not known, the device of `entity` (any of the massager's entities).
 */
export function deviceOf(hass, config) {
  return config.device_id || hass?.entities?.[config.entity]?.device_id;
}

/** Everything the card shows, from Home Assistant's states (no DOM: tested in Node). */
export function viewModel(hass, config, now) {
  const language = languageOf(hass);
  const words = (key, values) => say(language, key, values);
  const show = (part) => config[`show_${part}`] !== false;
  const deviceId = deviceOf(hass, config);
  if (!deviceId) return { language, message: words(config.entity ? "not_found" : "no_device") };
  const device = hass.devices?.[deviceId];
  const ids = massagerEntities(hass, deviceId);
  if (!device || !ids.massage) return { language, message: words("not_found") };
  const name = cut(config.title || device.name_by_user || device.name || "");
  const massage = hass.states[ids.massage];
  const status = stateOf(hass, ids.status);
  const available = Boolean(massage && massage.state !== "unavailable");
  const statusValue = status?.state ?? (massage?.state === "on" ? "running" : "idle");
  const phase = !available
    ? "unavailable"
    : statusValue === "error"
      ? "error"
      : statusValue === "running" || statusValue === "paused"
        ? statusValue
        : massage.state === "on"
          ? "running"
          : "idle";
  const active = phase === "running" || phase === "paused";
  // What could start a session (Start, a program chip, a routine): never in a fault.
  const canStart = phase === "idle";

  const model = {
    language,
    name,
    phase,
    active,
    statusText: status ? shown(hass, status) : shown(hass, massage),
    notices: [],
    ids,
  };
  if (phase === "unavailable") model.notices.push({ kind: "error", text: words("unavailable", { name }) });
  if (phase === "error") model.notices.push({ kind: "error", text: words("error", { name }) });
  if (status?.attributes?.timer === "home_assistant") model.notices.push({ kind: "info", text: words("ha_timer") });

  // The one large control, and a stop beside it while a session is on. In a fault it is Stop:
  // the notice asks for a stop, and a stop is always sent, whatever the device last reported.
  const pauseable = Boolean(stateOf(hass, ids.pause));
  model.primary =
    phase === "error"
      ? { action: "stop", label: words("stop"), icon: "stop" }
      : phase === "running"
      ? pauseable
        ? { action: "pause", label: words("pause"), icon: "pause" }
        : { action: "stop", label: words("stop"), icon: "stop" }
      : phase === "paused"
        ? { action: "resume", label: words("resume"), icon: "play" }
        : { action: "start", label: words("start"), icon: "play" };
  model.primary.disabled = !available;
  model.stop = active && model.primary.action !== "stop" ? { action: "stop", label: words("stop") } : null;

  // Countdown: from the end time the device (or Home Assistant's timer) gave, in the browser.
  const lengthState = stateOf(hass, ids.sessionLength);
  const ends = stateOf(hass, ids.endsAt);
  const left = phase === "running" ? secondsLeft(ends?.state, now) : null;
  const remaining = stateOf(hass, ids.remaining);
  const pausedLeft = phase === "paused" && number(remaining?.state) != null ? number(remaining.state) * 60 : null;
  const total = Math.max((number(lengthState?.state) ?? 0) * 60, left ?? 0, pausedLeft ?? 0);
  model.countdown = {
    endsAt: phase === "running" ? ends?.state ?? null : null,
    seconds: left ?? pausedLeft,
    total,
    text: left != null ? clock(left) : pausedLeft != null ? clock(pausedLeft) : "",
    caption:
      left != null && ends
        ? words("ends_at", { time: timeOfDay(hass, ends.state) })
        : pausedLeft != null
          ? words("paused_left", { time: clock(pausedLeft) })
          : words("not_running"),
  };

  const program = stateOf(hass, ids.program);
  const presets = massage?.attributes?.preset_modes || program?.attributes?.options || [];
  const currentProgram = massage?.attributes?.preset_mode ?? program?.state;
  model.programs = show("programs")
    ? presets.map((id) => ({
        id,
        label: program ? optionName(hass, program, id) : cut(id),
        selected: id === currentProgram,
      }))
    : [];
  // Idle, a chip starts its program; in a session it changes the program (never resumes one).
  model.programsDisabled = !(canStart || active);
  model.programsHint = model.programs.length && canStart ? words("program_starts") : "";

  const zone = stateOf(hass, ids.zone);
  const zoneOptions = zone?.attributes?.options || [];
  const levelZones = ids.levelZones.map((id) => hass.states[id]).filter(Boolean);
  const lit = new Set(areasForZone(zone?.state));
  for (const level of levelZones) {
    if (number(level.state) > 0) for (const area of areasForZone(level.attributes.zone)) lit.add(area);
  }
  const reachable = new Set(zoneOptions.flatMap(areasForZone));
  for (const level of levelZones) for (const area of areasForZone(level.attributes.zone)) reachable.add(area);
  model.body = show("body") && (zoneOptions.length || levelZones.length)
    ? {
        lit: [...lit],
        reachable: [...reachable],
        tappable: zone ? [...new Set(zoneOptions.flatMap(areasForZone))] : [],
        zones: zoneOptions.map((id) => ({
          id,
          label: optionName(hass, zone, id),
          selected: id === zone.state,
        })),
      }
    : null;

  model.sliders = [];
  if (show("intensity")) {
    const intensity = stateOf(hass, ids.intensity);
    if (intensity) model.sliders.push(slider(hass, intensity, words("intensity")));
    for (const level of levelZones) {
      if (level.state !== "unavailable") model.sliders.push(slider(hass, level, entityName(hass, level)));
    }
  }

  model.session =
    show("session") && lengthState
      ? {
          entity: ids.sessionLength,
          value: number(lengthState.state),
          text: number(lengthState.state) == null ? "–" : words("minutes_short", { n: number(lengthState.state) }),
          ...rangeOf(lengthState),
          locked: active || number(lengthState.state) == null,
        }
      : null;

  const heat = stateOf(hass, ids.heat);
  const heatLevel = stateOf(hass, ids.heatLevel);
  model.heat = show("heat") && heat
    ? {
        entity: ids.heat,
        on: heat.state === "on",
        label: words(heat.state === "on" ? "heat_on" : "heat_off"),
        // Heat in levels: one chip each; a tap switches the heat on at that level.
        levels: (heatLevel?.attributes?.options || []).map((id) => ({
          id,
          label: optionName(hass, heatLevel, id),
          selected: heat.state === "on" && id === heatLevel.state,
        })),
      }
    : null;

  const routine = stateOf(hass, ids.routine);
  model.routines = null;
  if (show("routines") && routine) {
    const running = routine.state !== NO_ROUTINE && routine.state !== "unknown";
    const attributes = routine.attributes;
    const step = running && attributes.step
      ? words("routine_step", {
          routine: optionName(hass, routine, routine.state),
          step: attributes.step,
          total: attributes.steps_total,
        })
      : "";
    const following = [
      attributes.next_program && (program ? optionName(hass, program, attributes.next_program) : cut(attributes.next_program)),
      attributes.next_zone && (zone ? optionName(hass, zone, attributes.next_zone) : cut(attributes.next_zone)),
    ].filter(Boolean);
    const last = Number(attributes.step) >= Number(attributes.steps_total);
    const next = !running || !attributes.step
      ? ""
      : last
        ? words("routine_last")
        : following.length
          ? words("routine_next", { next: following.join(", ") })
          : "";
    model.routines = {
      running,
      progress: [step, next].filter(Boolean).join(" · "),
      // Only the routines this massager can run (an older integration sends no `runnable`).
      items: (attributes.options || [])
        .filter((id) => id !== NO_ROUTINE && id !== CUSTOM_ROUTINE)
        .filter((id) => !Array.isArray(attributes.runnable) || attributes.runnable.includes(id))
        .map((id) => ({ id, label: optionName(hass, routine, id), selected: id === routine.state })),
      disabled: !canStart, // a routine starts sessions: not over one, nor in a fault
    };
    if (!running && !model.routines.items.length) model.routines = null; // nothing to offer
  }
  model.history = show("history") && ids.massageTime ? { entity: ids.massageTime } : null;
  model.canStart = canStart;
  return model;
}

/**
 * The action a control of the card calls, as [domain, service, data]; null where the control
 * does nothing now (a setting while the massager is unavailable, a start in a fault).
 */
export function serviceCall(model, action, value) {
  const { ids, session } = model;
  const unavailable = model.phase === "unavailable";
  const massage = { entity_id: ids.massage };
  switch (action) {
    case "start":
      return model.canStart ? ["fan", "turn_on", massage] : null;
    case "stop":
      return ["fan", "turn_off", massage]; // always: a stop is never refused by the card
    case "pause":
      return ids.pause && model.phase === "running" ? ["button", "press", { entity_id: ids.pause }] : null;
    case "resume":
      if (model.phase !== "paused") return null;
      return ids.resume ? ["button", "press", { entity_id: ids.resume }] : ["fan", "turn_on", massage];
    case "program":
      // Idle, the chip starts its program; in a session it changes it, and never resumes a
      // paused one (fan.turn_on would).
      if (model.canStart) return ["fan", "turn_on", { ...massage, preset_mode: value }];
      return model.active ? ["fan", "set_preset_mode", { ...massage, preset_mode: value }] : null;
    case "zone":
      return ids.zone && !unavailable ? ["select", "select_option", { entity_id: ids.zone, option: value }] : null;
    case "heat":
      return model.heat && !unavailable ? ["switch", model.heat.on ? "turn_off" : "turn_on", { entity_id: ids.heat }] : null;
    case "heat_level":
      return ids.heatLevel && model.heat && !unavailable
        ? ["select", "select_option", { entity_id: ids.heatLevel, option: value }]
        : null;
    case "shorter":
    case "longer": {
      // Only between sessions (nothing lengthens a running one), and from a known length.
      if (!session || session.locked || session.value == null) return null;
      const wanted = action === "longer" ? session.value + session.step : session.value - session.step;
      const value = Math.min(session.max, Math.max(session.min, wanted));
      return ["number", "set_value", { entity_id: ids.sessionLength, value }];
    }
    case "routine":
      return model.routines && !model.routines.disabled ? [DOMAIN, "run_routine", { ...massage, routine: value }] : null;
    case "stop_routine":
      return [DOMAIN, "stop_routine", massage];
    default:
      return null;
  }
}

function slider(hass, stateObj, label) {
  const value = number(stateObj.state);
  return {
    entity: stateObj.entity_id,
    label,
    value,
    text: value == null ? "–" : String(value),
    ...rangeOf(stateObj),
  };
}

function timeZoneOf(hass) {
  return hass?.locale?.time_zone === "server" && hass?.config?.time_zone ? hass.config.time_zone : undefined;
}

function timeOfDay(hass, iso) {
  const locale = hass?.locale?.language || hass?.language || "en";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: timeZoneOf(hass) }).format(
    new Date(Date.parse(iso)),
  );
}

function weekday(language, key) {
  const [year, month, day] = key.split("-").map(Number);
  return new Intl.DateTimeFormat(language, { weekday: "short", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day, 12)),
  );
}

// The body outline (viewBox 0 0 200 420): each area one path or a pair of them.
const BODY_SHAPES = {
  head: '<ellipse cx="100" cy="36" rx="22" ry="27"/>',
  neck: '<path d="M90 60 h20 v24 h-20 z"/>',
  shoulders: '<path d="M54 92 Q100 78 146 92 L150 120 L50 120 Z"/>',
  upper_back: '<path d="M52 122 L148 122 L142 182 L58 182 Z"/>',
  lower_back: '<path d="M58 184 L142 184 L137 238 L63 238 Z"/>',
  hips: '<path d="M63 240 L137 240 L144 280 L56 280 Z"/>',
  arms: '<path d="M50 94 L34 106 L20 232 L34 236 L50 128 Z"/><path d="M150 94 L166 106 L180 232 L166 236 L150 128 Z"/>',
  legs: '<path d="M57 282 L98 282 L94 414 L68 414 Z"/><path d="M102 282 L143 282 L132 414 L106 414 Z"/>',
};

const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 19h4V5H6v14zm8-14v14h4V5h-4z",
  stop: "M6 6h12v12H6z",
  minus: "M19 13H5v-2h14v2z",
  plus: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z",
  heat: "M12 2c1 3-2 4-2 7a2 2 0 0 0 4 0c0-.7-.2-1.3-.5-1.8C15.5 8.6 17 11 17 14a5 5 0 0 1-10 0c0-4.5 5-6.5 5-12z",
};

function icon(name) {
  return `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${ICONS[name]}"/></svg>`;
}

const RING = 2 * Math.PI * 52;
const HISTORY_EVERY_MS = 600_000;

// Outside a browser (the logic tests in Node) there are no elements to define.
const Element = globalThis.HTMLElement ?? class {};

const STYLE = `
  :host { display: block; container-type: inline-size; }
  ha-card { padding: 16px; color: var(--primary-text-color); }
  h2 { margin: 0; font-size: 1.25rem; font-weight: 500; }
  .top { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 12px; }
  .status { color: var(--secondary-text-color); }
  .notice { border-radius: 8px; padding: 8px 12px; margin: 0 0 12px; font-size: 0.95rem;
    background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.12); }
  .notice.error { background: rgba(219, 68, 55, 0.15); color: var(--error-color, #db4437); }
  .layout { display: grid; grid-template-columns: minmax(120px, 200px) 1fr; gap: 16px; align-items: start; }
  .layout.nobody { grid-template-columns: 1fr; }
  .body svg { width: 100%; max-height: 340px; display: block; margin: 0 auto; }
  .area { fill: var(--divider-color, #ccc); opacity: 0.45; transition: fill 0.2s, opacity 0.2s; }
  .area.reachable { opacity: 0.9; fill: var(--secondary-background-color, #e5e5e5); stroke: var(--divider-color, #bbb); }
  .area.tappable { cursor: pointer; }
  .area.tappable:hover { fill: rgba(var(--rgb-primary-color, 3, 169, 244), 0.35); }
  .area.lit { fill: var(--primary-color, #03a9f4); opacity: 0.95; }
  .silhouette { fill: none; stroke: var(--secondary-text-color, #888); stroke-width: 1; opacity: 0.5; }
  .spine { stroke: var(--secondary-text-color, #888); stroke-width: 2; stroke-dasharray: 3 4; pointer-events: none; }
  .controls { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
  .hero { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
  .ring { position: relative; width: 124px; height: 124px; flex: none; }
  .ring svg { width: 124px; height: 124px; transform: rotate(-90deg); }
  .ring .track { fill: none; stroke: var(--divider-color, #ddd); stroke-width: 8; }
  .ring .left { fill: none; stroke: var(--primary-color, #03a9f4); stroke-width: 8; stroke-linecap: round; }
  .ring .time { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
    font-size: 1.6rem; font-variant-numeric: tabular-nums; }
  .buttons { display: flex; flex-direction: column; gap: 8px; flex: 1; min-width: 140px; }
  .caption { color: var(--secondary-text-color); font-size: 0.9rem; }
  button { font: inherit; color: inherit; cursor: pointer; border-radius: 999px;
    border: 1px solid var(--divider-color, #ccc); background: transparent; padding: 6px 14px; }
  button:focus-visible, .area:focus-visible { outline: 3px solid var(--primary-color, #03a9f4); outline-offset: 2px; }
  button[disabled] { opacity: 0.5; cursor: default; }
  button svg { width: 20px; height: 20px; fill: currentColor; vertical-align: middle; }
  .primary { background: var(--primary-color, #03a9f4); color: var(--text-primary-color, #fff); border: none;
    font-size: 1.15rem; padding: 12px 20px; display: inline-flex; gap: 8px; align-items: center; justify-content: center; }
  .stop { display: inline-flex; gap: 6px; align-items: center; justify-content: center; }
  [aria-busy="true"] { opacity: 0.7; }
  .group h3 { margin: 0 0 6px; font-size: 0.85rem; font-weight: 500; color: var(--secondary-text-color);
    text-transform: uppercase; letter-spacing: 0.04em; }
  .chips { display: flex; flex-wrap: wrap; gap: 6px; }
  .chip[aria-pressed="true"] { background: var(--primary-color, #03a9f4); color: var(--text-primary-color, #fff);
    border-color: transparent; }
  .row { display: flex; align-items: center; gap: 10px; }
  .row label { flex: 0 0 auto; min-width: 96px; }
  .row input[type="range"] { flex: 1; accent-color: var(--primary-color, #03a9f4); min-width: 0; }
  .row output { min-width: 3.5em; text-align: right; font-variant-numeric: tabular-nums; }
  .stepper { display: inline-flex; align-items: center; gap: 6px; }
  .stepper button { padding: 4px 8px; }
  .heat[aria-pressed="true"] { background: var(--state-climate-heat-color, #ff8100); color: #fff; border-color: transparent; }
  .week { display: grid; grid-template-columns: repeat(7, 1fr); gap: 6px; align-items: end; height: 96px; }
  .bar { display: flex; flex-direction: column; align-items: center; justify-content: end; height: 100%;
    font-size: 0.75rem; color: var(--secondary-text-color); }
  .bar span.fill { width: 70%; border-radius: 4px 4px 0 0; background: var(--primary-color, #03a9f4); min-height: 2px; }
  .bar.today span.fill { background: var(--accent-color, #ff9800); }
  .totals { display: flex; gap: 18px; margin-bottom: 6px; }
  .totals strong { font-size: 1.2rem; font-weight: 500; }
  .alert { color: var(--error-color, #db4437); }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  /* A phone: one column, the start control first, then where the massage works (last: it
     overrides the rules above). */
  @container (max-width: 560px) {
    .layout { display: flex; flex-direction: column; align-items: stretch; }
    .controls { display: contents; }
    .hero { order: -1; }
    .body svg { max-height: 220px; }
  }
`;

export class SmartMassagerCard extends Element {
  constructor() {
    super();
    this._config = {};
    this._pending = null;
    this._failure = "";
    this._history = null; // the recorder's hourly rows, once read
    this._historyRead = 0;
    this._dragging = false;
    this.attachShadow({ mode: "open" });
    this.shadowRoot.addEventListener("click", (event) => this._click(event));
    this.shadowRoot.addEventListener("change", (event) => this._change(event));
    this.shadowRoot.addEventListener("pointerdown", (event) => {
      if (!event.target.matches?.('input[type="range"]')) return;
      this._dragging = true;
      // Released without a change (a tap on the thumb), or taken by a scroll: the hold ends.
      for (const end of ["pointerup", "pointercancel"]) {
        window.addEventListener(end, () => this._release(), { once: true });
      }
    });
  }

  static getConfigElement() {
    return document.createElement(EDITOR_TYPE);
  }

  static getStubConfig(hass) {
    const device = firstMassager(hass);
    return device ? { device_id: device } : {};
  }

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    this._config = { ...config };
    this._history = null;
    this._historyRead = 0;
    this._render();
  }

  set hass(hass) {
    const before = this._hass;
    this._hass = hass;
    if (!before || this._changed(before, hass)) {
      this._pending = null;
      this._render();
    }
  }

  get hass() {
    return this._hass;
  }

  getCardSize() {
    return 9;
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6, rows: "auto" };
  }

  connectedCallback() {
    this._ticker = setInterval(() => this._tick(), 1000);
    this._render();
  }

  disconnectedCallback() {
    clearInterval(this._ticker);
  }

  _changed(before, after) {
    if (before.locale !== after.locale || before.language !== after.language) return true;
    if (before.entities !== after.entities || before.devices !== after.devices) return true;
    const ids = massagerEntities(after, deviceOf(after, this._config));
    const watched = Object.entries(ids).flatMap(([role, value]) => (role === "levelZones" ? value : [value]));
    return watched.some((id) => before.states[id] !== after.states[id]);
  }

  _render() {
    if (!this._hass || !this.shadowRoot) return;
    if (this._dragging) return; // a state while a slider is held would move it under the finger
    const model = viewModel(this._hass, this._config, Date.now());
    this._model = model;
    if (!this._card) {
      // ha-card once: it renders its slot a moment after it is made, and until then nothing
      // inside it can take the focus back after a redraw.
      this.shadowRoot.innerHTML = `<style>${STYLE}</style><ha-card></ha-card>`;
      this._card = this.shadowRoot.querySelector("ha-card");
    }
    const focused = this.shadowRoot.activeElement?.dataset?.key;
    this._card.innerHTML = this._html(model);
    if (focused) this._card.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
    if (model.history) this._readHistory(model.history.entity);
  }

  _html(model) {
    const words = (key, values) => say(model.language, key, values);
    if (model.message) return `<div class="notice">${esc(model.message)}</div>`;
    const parts = [
      `<div class="top"><h2>${esc(model.name)}</h2><span class="status" role="status">${esc(model.statusText)}</span></div>`,
      ...model.notices.map((notice) => `<p class="notice ${notice.kind}">${esc(notice.text)}</p>`),
    ];
    if (this._failure) parts.push(`<p class="alert" role="alert">${esc(words("failed", { message: this._failure }))}</p>`);
    const body = model.body ? this._bodyHtml(model, words) : "";
    parts.push(`<div class="layout${body ? "" : " nobody"}">${body}<div class="controls">${this._controlsHtml(model, words)}</div></div>`);
    return parts.join("");
  }

  _bodyHtml(model, words) {
    const body = model.body;
    const areas = AREAS.map((area) => {
      const classes = ["area"];
      if (body.reachable.includes(area)) classes.push("reachable");
      if (body.tappable.includes(area)) classes.push("tappable");
      if (body.lit.includes(area)) classes.push("lit");
      // Areas answer taps; the zone buttons below are the same choice for keyboards and readers.
      return `<g class="${classes.join(" ")}" data-area="${area}">${BODY_SHAPES[area]}</g>`;
    }).join("");
    const zones = body.zones.length
      ? `<div class="chips" role="group" aria-label="${esc(words("zones"))}">${body.zones
          .map(
            (zone) =>
              `<button class="chip" data-key="zone:${esc(zone.id)}" data-action="zone" data-value="${esc(zone.id)}" aria-pressed="${zone.selected}"${model.phase === "unavailable" ? " disabled" : ""}>${esc(zone.label)}</button>`,
          )
          .join("")}</div>`
      : "";
    return `<div class="body group"><h3>${esc(words("body"))}</h3>
      <svg viewBox="0 0 200 420" role="img" aria-label="${esc(words("body"))}">${areas}
        <line class="spine" x1="100" y1="64" x2="100" y2="238"/></svg>${zones}</div>`;
  }

  _controlsHtml(model, words) {
    const out = [];
    const countdown = model.countdown;
    const fraction = ringFraction(countdown.seconds, countdown.total);
    const busy = (action) => (this._pending === action ? ' aria-busy="true"' : "");
    out.push(`<div class="hero">
      <div class="ring" role="timer" aria-label="${esc(words("time_left"))}">
        <svg viewBox="0 0 124 124" aria-hidden="true"><circle class="track" cx="62" cy="62" r="52"/>
          <circle class="left" cx="62" cy="62" r="52" stroke-dasharray="${RING.toFixed(2)}" stroke-dashoffset="${(RING * (1 - fraction)).toFixed(2)}"/></svg>
        <div class="time">${esc(countdown.text || "–")}</div>
      </div>
      <div class="buttons">
        <button class="primary" data-key="primary" data-action="${model.primary.action}"${model.primary.disabled ? " disabled" : ""}${busy(model.primary.action)}>${icon(model.primary.icon)}<span>${esc(model.primary.label)}</span></button>
        ${model.stop ? `<button class="stop" data-key="stop" data-action="stop"${busy("stop")}>${icon("stop")}<span>${esc(model.stop.label)}</span></button>` : ""}
        <span class="caption">${esc(countdown.caption)}</span>
      </div></div>`);
    if (model.programs.length) {
      const hint = model.programsHint ? `<p class="caption" id="programs-hint">${esc(model.programsHint)}</p>` : "";
      out.push(`<div class="group"><h3 id="programs">${esc(words("programs"))}</h3>${hint}<div class="chips" role="group" aria-labelledby="programs"${hint ? ' aria-describedby="programs-hint"' : ""}>${model.programs
        .map(
          (program) =>
            `<button class="chip" data-key="program:${esc(program.id)}" data-action="program" data-value="${esc(program.id)}" aria-pressed="${program.selected}"${model.programsDisabled ? " disabled" : ""}>${esc(program.label)}</button>`,
        )
        .join("")}</div></div>`);
    }
    for (const item of model.sliders) {
      const id = `slider-${item.entity.replace(/\W/g, "-")}`;
      out.push(`<div class="row"><label for="${id}">${esc(item.label)}</label>
        <input id="${id}" data-key="${esc(item.entity)}" type="range" data-entity="${esc(item.entity)}" min="${item.min}" max="${item.max}" step="${item.step}" value="${item.value ?? item.min}" aria-valuetext="${esc(item.text)}"${model.phase === "unavailable" ? " disabled" : ""}>
        <output for="${id}">${esc(item.text)}</output></div>`);
    }
    const settings = [];
    if (model.session) {
      const session = model.session;
      const locked = session.locked ? ` disabled title="${esc(words("length_locked"))}"` : "";
      settings.push(`<div class="row"><span>${esc(words("session_length"))}</span><span class="stepper">
        <button data-key="shorter" data-action="shorter" aria-label="${esc(words("shorter"))}"${locked || (session.value <= session.min ? " disabled" : "")}>${icon("minus")}</button>
        <output aria-live="polite">${esc(session.text)}</output>
        <button data-key="longer" data-action="longer" aria-label="${esc(words("longer"))}"${locked || (session.value >= session.max ? " disabled" : "")}>${icon("plus")}</button></span></div>`);
    }
    if (model.heat) {
      const off = model.phase === "unavailable" ? " disabled" : "";
      settings.push(`<button class="heat" data-key="heat" data-action="heat" aria-pressed="${model.heat.on}"${off}>${icon("heat")} ${esc(words("heat"))}<span class="sr"> ${esc(model.heat.label)}</span></button>`);
      if (model.heat.levels.length) {
        settings.push(`<span class="chips" role="group" aria-label="${esc(words("heat_level"))}">${model.heat.levels
          .map(
            (level) =>
              `<button class="chip" data-key="heat_level:${esc(level.id)}" data-action="heat_level" data-value="${esc(level.id)}" aria-pressed="${level.selected}"${off}>${esc(level.label)}</button>`,
          )
          .join("")}</span>`);
      }
    }
    if (settings.length) out.push(`<div class="row" style="flex-wrap:wrap;gap:16px">${settings.join("")}</div>`);
    if (model.routines) {
      const routines = model.routines;
      out.push(`<div class="group"><h3 id="routines">${esc(words("routines"))}</h3>
        ${routines.progress ? `<p class="caption">${esc(routines.progress)}</p>` : ""}
        <div class="chips" role="group" aria-labelledby="routines">${routines.items
          .map(
            (item) =>
              `<button class="chip" data-key="routine:${esc(item.id)}" data-action="routine" data-value="${esc(item.id)}" aria-pressed="${item.selected}"${routines.disabled ? " disabled" : ""}>${esc(item.label)}</button>`,
          )
          .join("")}
        ${routines.running ? `<button data-key="stop_routine" data-action="stop_routine">${esc(words("stop_routine"))}</button>` : ""}</div></div>`);
    }
    if (model.history) out.push(this._historyHtml(model, words));
    return out.join("");
  }

  _historyHtml(model, words) {
    const rows = this._history;
    if (rows === null) return `<div class="group week-group"><h3>${esc(words("this_week"))}</h3></div>`;
    const current = minutesOf(this._hass.states[model.history.entity]);
    const week = weekOfMassage(rows, current, Date.now(), timeZoneOf(this._hass));
    if (!week.compiled) {
      return `<div class="group week-group"><h3>${esc(words("this_week"))}</h3>
        <p class="caption">${esc(words("history_unavailable"))}</p></div>`;
    }
    const top = Math.max(1, ...week.days.map((day) => day.minutes));
    const minutes = (n) => words("minutes_short", { n: Math.round(n) });
    const bars = week.days
      .map((day, index) => {
        const label = `${weekday(model.language, day.day)}: ${minutes(day.minutes)}`;
        return `<div class="bar${index === 6 ? " today" : ""}" title="${esc(label)}"><span class="sr">${esc(label)}</span>
          <span aria-hidden="true">${day.minutes ? esc(Math.round(day.minutes)) : ""}</span>
          <span class="fill" style="height:${Math.round((day.minutes / top) * 60)}px" aria-hidden="true"></span>
          <span aria-hidden="true">${esc(weekday(model.language, day.day))}</span></div>`;
      })
      .join("");
    return `<div class="group week-group"><h3>${esc(words("this_week"))}</h3>
      <div class="totals"><span>${esc(words("today"))} <strong data-total="today">${esc(minutes(week.today))}</strong></span>
      <span>${esc(words("this_week"))} <strong data-total="week">${esc(minutes(week.week))}</strong></span></div>
      <div class="week" role="list" aria-label="${esc(words("week_chart"))}">${bars}</div></div>`;
  }

  async _readHistory(entityId) {
    // Hourly rows of the last 8 days; read again every 10 minutes (the live part is the state).
    if (this._reading || Date.now() - this._historyRead < HISTORY_EVERY_MS) return;
    this._reading = true;
    this._historyRead = Date.now();
    this._day = new Date().toDateString();
    try {
      const start = new Date(Date.now() - 8 * 86_400_000).toISOString();
      const result = await this._hass.callWS({
        type: "recorder/statistics_during_period",
        start_time: start,
        statistic_ids: [entityId],
        period: "hour",
        types: ["change", "state"],
        units: { duration: "min" }, // the rows in minutes, whatever unit the sensor is shown in
      });
      this._history = Array.isArray(result?.[entityId]) ? result[entityId] : [];
    } catch (err) {
      this._history = []; // no recorder: the week shows only what the state says today
    } finally {
      this._reading = false;
    }
    this._render();
  }

  _tick() {
    // The week is read again every 10 minutes and at midnight, also while nothing changes.
    if (this._model?.history && this._history !== null) {
      const day = new Date().toDateString();
      if (day !== this._day || Date.now() - this._historyRead >= HISTORY_EVERY_MS) {
        if (day !== this._day) this._historyRead = 0;
        this._day = day;
        this._readHistory(this._model.history.entity);
      }
    }
    // Once a second, only the ring and its time: no state is written for the countdown.
    const countdown = this._model?.countdown;
    if (!countdown?.endsAt || !this.shadowRoot) return;
    const left = secondsLeft(countdown.endsAt, Date.now());
    const time = this.shadowRoot.querySelector(".ring .time");
    const ring = this.shadowRoot.querySelector(".ring .left");
    if (time) time.textContent = clock(left);
    if (ring) ring.setAttribute("stroke-dashoffset", (RING * (1 - ringFraction(left, countdown.total))).toFixed(2));
  }

  _release() {
    if (!this._dragging) return;
    this._dragging = false;
    this._render();
  }

  _click(event) {
    if (!this._model || this._model.message) return;
    const area = event.target.closest?.("[data-area]");
    if (area) {
      const zone = this._model.body?.tappable.includes(area.dataset.area)
        ? zoneForArea(area.dataset.area, this._model.body.zones.map((item) => item.id))
        : undefined;
      const call = zone && serviceCall(this._model, "zone", zone);
      if (call) this._call("zone", ...call);
      return;
    }
    const button = event.target.closest?.("button[data-action]");
    if (!button || button.disabled) return;
    const call = serviceCall(this._model, button.dataset.action, button.dataset.value);
    if (call) this._call(button.dataset.action, ...call);
  }

  _change(event) {
    const input = event.target;
    if (!input.matches?.('input[type="range"][data-entity]')) return;
    this._dragging = false;
    this._call(input.dataset.entity, "number", "set_value", { entity_id: input.dataset.entity, value: Number(input.value) });
  }

  async _call(action, domain, service, data) {
    this._pending = action;
    this._failure = "";
    this._render();
    try {
      await this._hass.callService(domain, service, data);
    } catch (err) {
      // Home Assistant's own message, already in the user's language (the integration's errors).
      this._failure = cut(err?.message || String(err));
      this._pending = null;
      this._render();
    }
  }
}

/** The editor's form: which massager, a title, and which parts to show. */
export function editorSchema() {
  return [
    { name: "device_id", required: true, selector: { device: { filter: [{ integration: DOMAIN }] } } },
    { name: "title", selector: { text: {} } },
    {
      type: "grid",
      name: "",
      schema: PARTS.map((part) => ({ name: `show_${part}`, selector: { boolean: {} } })),
    },
  ];
}

class SmartMassagerCardEditor extends Element {
  setConfig(config) {
    this._config = { ...config };
    this._render();
  }

  set hass(hass) {
    this._hass = hass;
    this._render();
  }

  async _render() {
    if (!this._hass || !this._config) return;
    if (!this._form) {
      await formReady();
      if (this._form) return this._render();
      this._form = document.createElement("ha-form");
      this._form.addEventListener("value-changed", (event) => {
        event.stopPropagation();
        this._config = { ...this._config, ...event.detail.value };
        this.dispatchEvent(new CustomEvent("config-changed", { detail: { config: this._config }, bubbles: true, composed: true }));
      });
      this.appendChild(this._form);
    }
    const language = languageOf(this._hass);
    const data = { ...this._config };
    for (const part of PARTS) data[`show_${part}`] = this._config[`show_${part}`] !== false;
    this._form.hass = this._hass;
    this._form.data = data;
    this._form.schema = editorSchema();
    this._form.computeLabel = (field) =>
      field.name.startsWith("show_") ? say(language, `editor_${field.name.slice(5)}`) : say(language, `editor_${field.name}`);
  }
}

async function formReady() {
  // The frontend loads ha-form with its own editors; a built-in card's editor brings it along.
  if (customElements.get("ha-form")) return;
  for (const card of ["hui-tile-card", "hui-entities-card"]) {
    const element = customElements.get(card);
    if (element?.getConfigElement) {
      await element.getConfigElement();
      break;
    }
  }
  await customElements.whenDefined("ha-form");
}

if (typeof customElements !== "undefined" && !customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, SmartMassagerCard);
  customElements.define(EDITOR_TYPE, SmartMassagerCardEditor);
  const language = languageOf({ language: navigator.language });
  window.customCards = window.customCards || [];
  window.customCards.push({
    type: CARD_TYPE,
    name: say(language, "picker_name"),
    description: say(language, "picker_description"),
    preview: true,
    documentationURL: "https://github.com/smart-massager/ha-smart-massager#the-massage-card",
  });
}
