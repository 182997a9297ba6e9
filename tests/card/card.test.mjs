// The card's own logic, with Node's built-in test runner (no packages): run by
// tests/test_card_logic.py inside the main suite. The hass objects here are plain data in the
// shape the frontend hands a card (states, entities from the entity registry's display list,
// devices); no Home Assistant code runs here, the browser test covers the real thing.
import assert from "node:assert/strict";
import { test } from "node:test";

// The card as a module: $CARD_MODULE (tests/test_card_logic.py hands a copy named .mjs, since a
// Node older than 20.19 reads a .js file outside an ES-module package as CommonJS), else the file.
const card = await import(
  process.env.CARD_MODULE ?? new URL("../../custom_components/smart_massager/frontend/smart-massager-card.js", import.meta.url)
);
const {
  areasForZone,
  clock,
  minutesOf,
  optionName,
  serviceCall,
  SmartMassagerCard,
  esc,
  firstMassager,
  languageOf,
  massagerEntities,
  ringFraction,
  say,
  secondsLeft,
  viewModel,
  weekOfMassage,
  WORDS,
  zoneForArea,
} = card;

const DEVICE = "dev1";

function entity(entityId, translationKey, device = DEVICE, platform = "smart_massager") {
  return { entity_id: entityId, translation_key: translationKey, device_id: device, platform };
}

function hassWith(states, { language = "en", extraEntities = [] } = {}) {
  const roles = {
    "fan.back": "massage",
    "select.back_program": "program",
    "select.back_zone": "zone",
    "number.back_intensity": "intensity",
    "number.back_session_length": "session_length",
    "switch.back_heat": "heat",
    "sensor.back_status": "status",
    "sensor.back_session_ends": "session_ends",
    "sensor.back_remaining": "remaining",
    "sensor.back_routine": "routine",
    "sensor.back_massage_time": "massage_time",
    "button.back_pause": "pause",
    "button.back_resume": "resume",
  };
  const entities = {};
  for (const [id, key] of Object.entries(roles)) if (id in states) entities[id] = entity(id, key);
  for (const extra of extraEntities) entities[extra.entity_id] = extra;
  const full = {};
  for (const [id, value] of Object.entries(states)) {
    full[id] = typeof value === "string" ? { entity_id: id, state: value, attributes: {} } : { entity_id: id, ...value };
  }
  return {
    language,
    locale: { language },
    states: full,
    entities,
    devices: { [DEVICE]: { id: DEVICE, name: "Back massager", name_by_user: null } },
    formatEntityState: (stateObj, value) => `«${value ?? stateObj.state}»`,
  };
}

const IDLE = {
  "fan.back": { state: "off", attributes: { preset_modes: ["shiatsu", "palm_circles"], preset_mode: "shiatsu" } },
  "select.back_program": { state: "shiatsu", attributes: { options: ["shiatsu", "palm_circles"] } },
  "select.back_zone": { state: "lower_back", attributes: { options: ["shoulders", "lower_back", "full_back", "wave"] } },
  "number.back_intensity": { state: "5", attributes: { min: 1, max: 10, step: 1 } },
  "number.back_session_length": { state: "15", attributes: { min: 1, max: 30, step: 1 } },
  "switch.back_heat": "off",
  "sensor.back_status": { state: "idle", attributes: { timer: "device" } },
  "sensor.back_session_ends": "unknown",
  "sensor.back_remaining": "unknown",
  "button.back_pause": "unknown",
  "button.back_resume": "unknown",
};

test("entities are found by domain and translation key, on this device and platform only", () => {
  const hass = hassWith(IDLE, {
    extraEntities: [
      entity("fan.other", "massage", "dev2"),
      entity("fan.template", "massage", DEVICE, "template"),
      entity("number.bed_foot", "zone_intensity"),
      entity("number.bed_head", "zone_intensity"),
    ],
  });
  const ids = massagerEntities(hass, DEVICE);
  assert.equal(ids.massage, "fan.back");
  assert.equal(ids.sessionLength, "number.back_session_length");
  assert.deepEqual(ids.levelZones, ["number.bed_foot", "number.bed_head"]);
  assert.equal(firstMassager(hass), DEVICE);
  assert.equal(firstMassager({ entities: {} }), undefined);
});

test("zones map to body areas; the spine is none, a tap picks the narrowest zone", () => {
  assert.deepEqual(areasForZone("full_back"), ["shoulders", "upper_back", "lower_back"]);
  assert.deepEqual(areasForZone("head"), ["neck", "shoulders", "upper_back"]);
  assert.deepEqual(areasForZone("foot"), ["legs"]);
  assert.deepEqual(areasForZone("wave"), []);
  assert.ok(!Object.values(["all", "full_back", "head"]).flatMap(areasForZone).includes("spine"));
  const zones = ["full_back", "lower_back", "shoulders"];
  assert.equal(zoneForArea("lower_back", zones), "lower_back");
  assert.equal(zoneForArea("upper_back", zones), "full_back");
  assert.equal(zoneForArea("legs", zones), undefined);
});

test("countdown: seconds to the end, a clock, the ring's share", () => {
  const now = Date.parse("2026-12-04T10:00:00Z");
  assert.equal(secondsLeft("2026-12-04T10:14:59.600Z", now), 900);
  assert.equal(secondsLeft("2026-12-04T09:59:00Z", now), 0);
  assert.equal(secondsLeft("unknown", now), null);
  assert.equal(clock(899), "14:59");
  assert.equal(clock(3723), "1:02:03");
  assert.equal(ringFraction(450, 900), 0.5);
  assert.equal(ringFraction(2000, 900), 1);
  assert.equal(ringFraction(null, 900), 0);
});

test("idle: start, no stop, the settings for the next session", () => {
  const model = viewModel(hassWith(IDLE), { device_id: DEVICE }, Date.parse("2026-12-04T10:00:00Z"));
  assert.equal(model.phase, "idle");
  assert.equal(model.primary.action, "start");
  assert.equal(model.stop, null);
  assert.deepEqual(model.programs.map((p) => [p.id, p.label, p.selected]), [
    ["shiatsu", "«shiatsu»", true],
    ["palm_circles", "«palm_circles»", false],
  ]);
  assert.deepEqual(model.body.lit, ["lower_back"]);
  assert.deepEqual(model.body.zones.map((z) => z.id), ["shoulders", "lower_back", "full_back", "wave"]);
  assert.ok(!model.body.tappable.includes("legs"));
  assert.equal(model.session.locked, false);
  assert.equal(model.countdown.caption, "Not running");
  assert.deepEqual(model.notices, []);
});

test("running: pause and stop, the countdown from the end time, the length locked", () => {
  const now = Date.parse("2026-12-04T10:00:00Z");
  const hass = hassWith({
    ...IDLE,
    "fan.back": { state: "on", attributes: { preset_modes: ["shiatsu"], preset_mode: "shiatsu" } },
    "sensor.back_status": { state: "running", attributes: { timer: "home_assistant" } },
    "sensor.back_session_ends": "2026-12-04T10:07:30+00:00",
  });
  const model = viewModel(hass, { device_id: DEVICE }, now);
  assert.equal(model.primary.action, "pause");
  assert.equal(model.stop.action, "stop");
  assert.equal(model.countdown.text, "7:30");
  assert.equal(model.countdown.total, 900);
  assert.match(model.countdown.caption, /^Ends at /);
  assert.equal(model.session.locked, true);
  assert.deepEqual(model.notices.map((n) => n.kind), ["info"]);
  assert.equal(model.notices[0].text, WORDS.en.ha_timer);
});

test("paused shows resume and the minutes left; a massager without pause stops instead", () => {
  const paused = viewModel(
    hassWith({ ...IDLE, "fan.back": "on", "sensor.back_status": "paused", "sensor.back_remaining": "6" }),
    { device_id: DEVICE },
    0,
  );
  assert.equal(paused.primary.action, "resume");
  assert.equal(paused.countdown.text, "6:00");
  const plug = hassWith({ "fan.back": "on" });
  const model = viewModel(plug, { device_id: DEVICE }, 0);
  assert.equal(model.primary.action, "stop");
  assert.equal(model.stop, null);
  assert.equal(model.body, null);
  assert.deepEqual(model.programs, []);
});

test("unavailable and error are said in words", () => {
  const gone = viewModel(hassWith({ ...IDLE, "fan.back": "unavailable" }), { device_id: DEVICE }, 0);
  assert.equal(gone.phase, "unavailable");
  assert.equal(gone.primary.disabled, true);
  assert.equal(gone.notices[0].text, "Back massager is unavailable: Home Assistant cannot reach it.");
  // In a fault the fan reads off (it is on only while running or paused): Stop is the one
  // control, nothing starts.
  const fault = viewModel(
    hassWith({ ...IDLE, "sensor.back_status": "error", "sensor.back_routine": { state: "none", attributes: { options: ["none", "lower_back_recovery"] } } }),
    { device_id: DEVICE },
    0,
  );
  assert.equal(fault.phase, "error");
  assert.equal(fault.primary.action, "stop");
  assert.equal(fault.stop, null);
  assert.equal(fault.programsDisabled, true);
  assert.equal(fault.routines.disabled, true);
  assert.equal(serviceCall(fault, "start"), null);
  assert.equal(serviceCall(fault, "program", "shiatsu"), null);
  assert.equal(serviceCall(fault, "routine", "lower_back_recovery"), null);
  assert.deepEqual(serviceCall(fault, "stop"), ["fan", "turn_off", { entity_id: "fan.back" }]);
  assert.match(fault.notices[0].text, /reports a fault/);
  assert.equal(viewModel(hassWith(IDLE), {}, 0).message, WORDS.en.no_device);
  assert.equal(viewModel(hassWith(IDLE), { device_id: "gone" }, 0).message, WORDS.en.not_found);
  assert.equal(viewModel(hassWith(IDLE), { entity: "fan.gone" }, 0).message, WORDS.en.not_found);
  // YAML written by hand names an entity; the card finds its device.
  assert.equal(viewModel(hassWith(IDLE), { entity: "switch.back_heat" }, 0).primary.action, "start");
});

test("a bed's level zones: one slider each, lit where their level is above 0", () => {
  const hass = hassWith(
    {
      "fan.back": "on",
      "number.bed_head": { state: "3", attributes: { zone: "head", min: 0, max: 10, step: 1, friendly_name: "Back massager Head intensity" } },
      "number.bed_foot": { state: "0", attributes: { zone: "foot", min: 0, max: 10, step: 1, friendly_name: "Back massager Foot intensity" } },
    },
    { extraEntities: [entity("number.bed_foot", "zone_intensity"), entity("number.bed_head", "zone_intensity")] },
  );
  const model = viewModel(hass, { device_id: DEVICE }, 0);
  assert.deepEqual(model.sliders.map((s) => [s.label, s.value]), [
    ["Foot intensity", 0],
    ["Head intensity", 3],
  ]);
  assert.deepEqual(model.body.lit.sort(), ["neck", "shoulders", "upper_back"]);
  assert.deepEqual(model.body.tappable, []);
  assert.ok(model.body.reachable.includes("legs"));
});

test("parts switched off in the editor are not shown", () => {
  const config = { device_id: DEVICE, show_body: false, show_programs: false, show_intensity: false, show_heat: false, show_session: false };
  const model = viewModel(hassWith(IDLE), config, 0);
  assert.equal(model.body, null);
  assert.deepEqual(model.programs, []);
  assert.deepEqual(model.sliders, []);
  assert.equal(model.heat, null);
  assert.equal(model.session, null);
});

test("a routine: its step, what runs next, the built-in ones to tap", () => {
  const hass = hassWith({
    ...IDLE,
    "sensor.back_routine": {
      state: "lower_back_recovery",
      attributes: {
        options: ["none", "evening_back_pain_relief", "lower_back_recovery", "custom"],
        step: 1,
        steps_total: 3,
        next_program: "palm_circles",
        next_zone: "lower_back",
      },
    },
  });
  const routines = viewModel(hass, { device_id: DEVICE }, 0).routines;
  assert.equal(routines.running, true);
  assert.equal(routines.progress, "«lower_back_recovery»: step 1 of 3 · Next: «palm_circles», «lower_back»");
  assert.deepEqual(routines.items.map((r) => r.id), ["evening_back_pain_relief", "lower_back_recovery"]);
  hass.states["sensor.back_routine"].attributes = { options: ["none", "lower_back_recovery"], step: 3, steps_total: 3 };
  assert.match(viewModel(hass, { device_id: DEVICE }, 0).routines.progress, /Last step$/);
  // A massager without programs: the next step is its zone, and an early step is not "last".
  hass.states["sensor.back_routine"].attributes = { options: [], step: 1, steps_total: 5, next_program: null, next_zone: "shoulders" };
  assert.match(viewModel(hass, { device_id: DEVICE }, 0).routines.progress, /step 1 of 5 · Next: «shoulders»$/);
  hass.states["sensor.back_routine"].attributes = { options: [], step: 1, steps_total: 5 };
  assert.match(viewModel(hass, { device_id: DEVICE }, 0).routines.progress, /step 1 of 5$/);
});

test("a bed's own programs by their names; only the routines it can run, none offered when it runs none", () => {
  const hass = hassWith({
    ...IDLE,
    "fan.back": { state: "off", attributes: { preset_modes: ["mode_1", "mode_2", "shiatsu"], preset_mode: "mode_1" } },
    "select.back_program": {
      state: "mode_1",
      attributes: { options: ["mode_1", "mode_2", "shiatsu"], option_names: { mode_1: "Mode 1", mode_2: "Mode 2", shiatsu: "Shiatsu" } },
    },
    "sensor.back_routine": {
      state: "none",
      attributes: { options: ["none", "evening_back_pain_relief", "lower_back_recovery", "custom"], runnable: ["lower_back_recovery"] },
    },
  });
  // Home Assistant's translation answers with the option itself where it has none.
  hass.formatEntityState = (stateObj, value) => (value === "shiatsu" ? "Shiatsu (translated)" : value);
  const model = viewModel(hass, { device_id: DEVICE }, 0);
  assert.deepEqual(model.programs.map((p) => p.label), ["Mode 1", "Mode 2", "Shiatsu (translated)"]);
  assert.deepEqual(model.routines.items.map((r) => r.id), ["lower_back_recovery"]);
  // A name that is no string (an entity of another integration could send anything) is not used.
  const odd = { attributes: { option_names: { mode_3: { toString: () => "<b>" } } } };
  assert.equal(optionName(hass, odd, "mode_3"), "mode_3");
  hass.states["sensor.back_routine"].attributes.runnable = [];
  assert.equal(viewModel(hass, { device_id: DEVICE }, 0).routines, null);
  // While one runs (started by an automation) its progress and its stop stay.
  hass.states["sensor.back_routine"].state = "evening_back_pain_relief";
  assert.equal(viewModel(hass, { device_id: DEVICE }, 0).routines.running, true);
});

test("the week: hourly changes by day, and what came since the last compiled hour", () => {
  const now = Date.parse("2026-12-04T15:20:00Z");
  const hour = (iso, change, state) => ({ start: Date.parse(iso), end: Date.parse(iso) + 3600_000, change, state });
  const rows = [
    hour("2026-11-26T10:00:00Z", 50, 50), // 8 days ago: outside the week
    hour("2026-11-28T20:00:00Z", 12, 62),
    hour("2026-12-03T07:00:00Z", 10, 72),
    hour("2026-12-03T08:00:00Z", 5.5, 77.5),
    hour("2026-12-04T13:00:00Z", 4, 81.5),
  ];
  const week = weekOfMassage(rows, "84", now, "UTC");
  assert.deepEqual(week.days.map((d) => d.day), [
    "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04",
  ]);
  assert.deepEqual(week.days.map((d) => d.minutes), [12, 0, 0, 0, 0, 15.5, 6.5]);
  assert.equal(week.today, 6.5);
  assert.equal(week.week, 34);
  // A day is the user's day: 23:30 UTC on the 3rd is the 4th in Berlin.
  const berlin = weekOfMassage([hour("2026-12-03T23:30:00Z", 9, 9)], "9", now, "Europe/Berlin");
  assert.equal(berlin.today, 9);
  // No rows yet (no recorder, or nothing compiled): the total counts since the massager was
  // added, so none of it is put on today; the card says there are no statistics yet.
  const none = weekOfMassage([], 4321, now, "UTC");
  assert.deepEqual([none.compiled, none.today, none.week], [false, 0, 0]);
  assert.equal(week.compiled, true);
  // A total below the last compiled one was reset: all of it is new.
  assert.equal(weekOfMassage([hour("2026-12-04T13:00:00Z", 4, 40)], "2", now, "UTC").today, 6);
  assert.equal(weekOfMassage(rows, null, now, "UTC").today, 4);
  // The state in the user's unit, the rows in minutes (asked so of the recorder).
  assert.equal(minutesOf({ state: "1.5", attributes: { unit_of_measurement: "h" } }), 90);
  assert.equal(minutesOf({ state: "84", attributes: { unit_of_measurement: "min" } }), 84);
  assert.equal(minutesOf({ state: "unavailable", attributes: {} }), null);
  assert.equal(minutesOf({ state: "3", attributes: { unit_of_measurement: "fortnight" } }), null);
});

test("words: English and German, every key in both, placeholders filled, markup escaped", () => {
  assert.deepEqual(Object.keys(WORDS.de).sort(), Object.keys(WORDS.en).sort());
  for (const key of Object.keys(WORDS.en)) {
    const names = (text) => (text.match(/\{\w+\}/g) || []).sort();
    assert.deepEqual(names(WORDS.de[key]), names(WORDS.en[key]), key);
  }
  assert.equal(languageOf({ locale: { language: "de-AT" } }), "de");
  assert.equal(languageOf({ language: "fr" }), "en");
  assert.equal(say("de", "routine_step", { routine: "A", step: 1, total: 2 }), "A: Schritt 1 von 2");
  const model = viewModel(hassWith(IDLE, { language: "de" }), { device_id: DEVICE }, 0);
  assert.equal(model.primary.label, "Start");
  assert.equal(model.countdown.caption, "Läuft nicht");
  assert.equal(esc('<img src=x onerror="a">'), "&lt;img src=x onerror=&quot;a&quot;&gt;");
});

test("a device's long or hostile names are cut and never markup", () => {
  const hass = hassWith({
    ...IDLE,
    "select.back_zone": { state: "x", attributes: { options: ["<b>" + "z".repeat(200)] } },
  });
  hass.formatEntityState = (stateObj, value) => value ?? stateObj.state;
  const body = viewModel(hass, { device_id: DEVICE }, 0).body;
  assert.deepEqual(body.reachable, []); // a zone the card does not know covers no area
  const zones = body.zones;
  assert.equal(zones[0].label.length, 60);
  assert.ok(esc(zones[0].label).startsWith("&lt;b&gt;"));
});

test("what each control calls: a chip starts only an idle massager, never resumes a paused one", () => {
  const idle = viewModel(hassWith(IDLE), { device_id: DEVICE }, 0);
  assert.deepEqual(serviceCall(idle, "program", "shiatsu"), ["fan", "turn_on", { entity_id: "fan.back", preset_mode: "shiatsu" }]);
  assert.deepEqual(serviceCall(idle, "longer"), ["number", "set_value", { entity_id: "number.back_session_length", value: 16 }]);
  assert.equal(serviceCall(idle, "pause"), null);
  const paused = viewModel(hassWith({ ...IDLE, "fan.back": "on", "sensor.back_status": "paused" }), { device_id: DEVICE }, 0);
  assert.deepEqual(serviceCall(paused, "program", "palm_circles"), ["fan", "set_preset_mode", { entity_id: "fan.back", preset_mode: "palm_circles" }]);
  assert.deepEqual(serviceCall(paused, "resume"), ["button", "press", { entity_id: "button.back_resume" }]);
  assert.equal(serviceCall(paused, "start"), null);
  // Nothing lengthens a session: the length is locked in one, and unknown is never stepped.
  assert.equal(serviceCall(paused, "longer"), null);
  const unknown = viewModel(hassWith({ ...IDLE, "number.back_session_length": { state: "unknown", attributes: { min: 5, max: 30 } } }), { device_id: DEVICE }, 0);
  assert.equal(serviceCall(unknown, "shorter"), null);
  const gone = viewModel(hassWith({ ...IDLE, "fan.back": "unavailable" }), { device_id: DEVICE }, 0);
  assert.equal(serviceCall(gone, "zone", "shoulders"), null);
  assert.deepEqual(serviceCall(gone, "stop"), ["fan", "turn_off", { entity_id: "fan.back" }]);
});

test("the card's markup escapes every name from a device, an entity or a user", () => {
  const hostile = '<img src=x onerror="alert(1)">';
  const hass = hassWith({
    ...IDLE,
    "select.back_zone": { state: "lower_back", attributes: { options: ["lower_back", hostile] } },
    "number.bed_head": { state: "3", attributes: { zone: "head", min: 0, max: 10, step: 1, friendly_name: hostile } },
    "sensor.back_routine": { state: hostile, attributes: { options: ["none", hostile], step: 1, steps_total: 2, next_program: hostile, next_zone: hostile } },
  }, { extraEntities: [entity("number.bed_head", "zone_intensity")] });
  hass.formatEntityState = (stateObj, value) => value ?? stateObj.state;
  hass.devices[DEVICE].name = hostile;
  const card = Object.create(SmartMassagerCard.prototype); // its markup only: no element in Node
  Object.assign(card, { _hass: hass, _failure: hostile, _pending: null, _history: [] });
  const html = card._html(viewModel(hass, { device_id: DEVICE }, 0));
  assert.ok(!html.includes("<img"), html);
  assert.ok(!html.includes('onerror="'));
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
});

test("heat in levels: a chip per level, the one heating pressed, a tap sets it", () => {
  const hass = hassWith(
    {
      ...IDLE,
      "switch.back_heat": "on",
      "select.back_heat_level": { state: "medium", attributes: { options: ["low", "medium", "high"] } },
    },
    { extraEntities: [entity("select.back_heat_level", "heat_level")] },
  );
  const model = viewModel(hass, { device_id: DEVICE }, 0);
  assert.deepEqual(model.heat.levels.map((l) => [l.id, l.selected]), [["low", false], ["medium", true], ["high", false]]);
  assert.deepEqual(serviceCall(model, "heat_level", "high"), ["select", "select_option", { entity_id: "select.back_heat_level", option: "high" }]);
  hass.states["switch.back_heat"].state = "off";
  assert.ok(viewModel(hass, { device_id: DEVICE }, 0).heat.levels.every((l) => !l.selected));
  assert.deepEqual(viewModel(hassWith(IDLE), { device_id: DEVICE }, 0).heat.levels, []);
});
