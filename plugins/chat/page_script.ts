/** The chat page's script (plain browser JavaScript, served as /app.js). */
export const PAGE_SCRIPT = `"use strict";
const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const sendButton = document.getElementById("send");
const stopButton = document.getElementById("stop");
const notice = document.getElementById("notice");
const usage = document.getElementById("usage");
const WHO = { user: "You", assistant: "Claude", system: "Note" };
let lastSeq = 0;
let current = null;

function bubble(role, text) {
  const item = document.createElement("div");
  item.className = "msg " + role;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = WHO[role] || role;
  const body = document.createElement("p");
  body.className = "body";
  body.textContent = text;
  item.append(who, body);
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

function busy(on) {
  log.setAttribute("aria-busy", on ? "true" : "false");
  sendButton.disabled = on;
  stopButton.hidden = !on;
}

function say(text) {
  notice.replaceChildren();
  if (text) notice.textContent = text;
}

const LIMIT_NAMES = {
  requestsPerHour: "requests per hour",
  requestsPerDay: "requests per day",
  tokensPerDay: "tokens per day",
};

function sayLimit(body) {
  const at = new Date(body.resetAt);
  notice.replaceChildren();
  notice.append("Limit reached (" + (LIMIT_NAMES[body.limit] || body.limit) + "). You can send again at ");
  const time = document.createElement("time");
  time.dateTime = at.toISOString();
  time.textContent = at.toLocaleString();
  notice.append(time, ".");
}

function showUsage(state) {
  const u = state.usage, l = state.limits;
  const of = (n, max) => max > 0 ? n + " of " + max : String(n);
  usage.textContent = "Last hour: " + of(u.requestsLastHour, l.requestsPerHour) + " requests. Last day: " +
    of(u.requestsLastDay, l.requestsPerDay) + " requests, " + of(u.tokensLastDay, l.tokensPerDay) + " tokens.";
}

function handle(event) {
  if (event.type === "heartbeat") return false;
  if (typeof event.seq === "number") lastSeq = event.seq;
  if (event.type === "start") {
    current = { body: bubble("assistant", ""), text: "" };
    busy(true);
  } else if (event.type === "text") {
    if (!current) current = { body: bubble("assistant", ""), text: "" };
    current.text += event.text;
    current.body.textContent = current.text;
    current.body.scrollIntoView({ block: "end" });
  } else if (event.type === "end") {
    if (current && current.text === "") current.body.parentElement.remove();
    if (event.outcome === "stopped") bubble("system", "Reply stopped.");
    if (event.outcome === "failed") bubble("system", "Reply failed: " + (event.message || "unknown error"));
    current = null;
    busy(false);
    return true;
  }
  return false;
}

/** Read NDJSON events until the stream closes; true when the reply's end was seen. */
async function consume(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    pending += value;
    let end;
    while ((end = pending.indexOf("\\n")) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line && handle(JSON.parse(line))) return true;
    }
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follow a reply to its end, re-attaching after a dropped connection. */
async function follow(response) {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (response && response.status === 204) return loadState();
    if (response && response.ok) {
      try {
        if (await consume(response)) return refreshUsage();
      } catch (error) {
        // The connection dropped; re-attach below.
      }
      attempt = 0;
    }
    say("Connection lost; re-attaching to the reply…");
    await pause(Math.min(250 * 2 ** attempt, 4000));
    try {
      response = await fetch("/api/reply?after=" + lastSeq);
      if (response.status === 401) return location.assign("/login");
      say("");
    } catch (error) {
      response = null;
    }
  }
  say("The reply could not be followed; reload the page.");
}

async function getState() {
  const response = await fetch("/api/state", { headers: { accept: "application/json" } });
  if (response.status === 401) {
    location.assign("/login");
    return null;
  }
  if (!response.ok) {
    say("Could not load the conversation (HTTP " + response.status + ").");
    return null;
  }
  return response.json();
}

async function refreshUsage() {
  const state = await getState();
  if (state) showUsage(state);
}

async function loadState() {
  const state = await getState();
  if (!state) return;
  document.getElementById("user").textContent = state.user;
  log.replaceChildren();
  for (const entry of state.history) bubble(entry.role, entry.content);
  showUsage(state);
  busy(false);
  if (state.running) {
    lastSeq = 0;
    current = null;
    await follow(await fetch("/api/reply?after=0"));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content || sendButton.disabled) return;
  say("");
  let response;
  try {
    response = await fetch("/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content }),
    });
  } catch (error) {
    return say("Could not reach the chat server.");
  }
  if (response.status === 401) return location.assign("/login");
  if (response.status === 429) return sayLimit(await response.json());
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    return say(body.error || "The message was not sent (HTTP " + response.status + ").");
  }
  input.value = "";
  bubble("user", content);
  lastSeq = 0;
  await follow(response);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

stopButton.addEventListener("click", async () => {
  stopButton.disabled = true;
  try {
    await fetch("/api/reply/stop", { method: "POST" });
  } finally {
    stopButton.disabled = false;
  }
});

loadState();
`;
