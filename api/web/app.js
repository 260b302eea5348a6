// talkrag page: every transcript-derived string goes in with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const conversation = [];

// Links come from transcripts' metadata: only http(s) may become an href (no javascript:).
function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("key").value.trim();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

function status(text) {
  $("status").textContent = text;
}

function needKey() {
  $("key-row").hidden = false;
  status("This server needs an API key: enter it below.");
  $("key").focus();
}

async function loadSpeakers() {
  const response = await fetch("/v1/talks", { headers: headers() });
  if (response.status === 401) return needKey();
  if (!response.ok) return;
  const { talks } = await response.json();
  const names = new Set();
  for (const talk of talks) for (const name of talk.speakers) names.add(name);
  const select = $("speaker");
  while (select.options.length > 1) select.remove(1);
  for (const name of [...names].sort()) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    select.append(option);
  }
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function chip(citation) {
  const url = safeUrl(citation.url);
  const el = document.createElement(url ? "a" : "span");
  el.className = "chip";
  if (url) {
    el.href = url;
    el.target = "_blank";
    el.rel = "noopener noreferrer";
  }
  el.append(span("n", `[${citation.n}]`), span("talk", citation.title));
  el.append(span("who", citation.speaker || "unknown speaker"));
  if (citation.at) {
    // The server's one clock; a tilde where the moment is estimated from word position.
    const at = span("at", citation.time_estimated ? `~${citation.at}` : citation.at);
    if (citation.time_estimated) {
      at.classList.add("estimated");
      at.title = "estimated from where the words fall in the talk";
    }
    el.append(at);
  }
  return el;
}

const CONTEXT_CHARS = 240; // the passage shown around a quote, either side

// The passage once per chunk, its quotes marked: text nodes and <mark>s, never HTML.
function passageOf(text, quotes) {
  const spans = quotes
    .map((q) => [text.indexOf(q), q.length])
    .filter(([at]) => at >= 0)
    .sort((a, b) => a[0] - b[0]);
  const el = document.createElement("p");
  el.className = "passage";
  if (!spans.length) {
    el.textContent = text;
    return el;
  }
  let from = Math.max(0, spans[0][0] - CONTEXT_CHARS);
  const last = spans[spans.length - 1];
  const to = Math.min(text.length, last[0] + last[1] + CONTEXT_CHARS);
  if (from > 0) el.append("… ");
  for (const [at, length] of spans) {
    if (at < from) continue; // overlaps the one before
    el.append(text.slice(from, at));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + length);
    el.append(mark);
    from = at + length;
  }
  el.append(text.slice(from, to) + (to < text.length ? " …" : ""));
  return el;
}

function showCitations(turn, citations) {
  turn.sources.replaceChildren();
  const byChunk = new Map();
  for (const citation of citations) {
    if (!byChunk.has(citation.chunk_id)) byChunk.set(citation.chunk_id, []);
    byChunk.get(citation.chunk_id).push(citation);
  }
  for (const cited of byChunk.values()) {
    const item = document.createElement("li");
    for (const citation of cited) item.append(chip(citation));
    const quotes = cited.map((c) => c.quote).filter((q) => q);
    item.append(passageOf(cited[0].text, quotes));
    turn.sources.append(item);
  }
}

function newTurn(question) {
  const node = $("turn-template").content.firstElementChild.cloneNode(true);
  node.querySelector(".question").textContent = question;
  $("turns").prepend(node);
  return {
    question,
    answer: node.querySelector(".answer"),
    notice: node.querySelector(".notice"),
    sources: node.querySelector(".sources"),
  };
}

function fail(turn, message) {
  turn.notice.hidden = false;
  turn.notice.classList.add("error");
  turn.notice.textContent = `Error: ${message}`;
}

function onEvent(turn, name, payload) {
  if (name === "delta") {
    turn.answer.textContent += payload.text;
  } else if (name === "answer") {
    turn.answer.textContent = payload.answer; // the checked answer replaces the raw stream
    if (payload.notice) {
      turn.notice.hidden = false;
      turn.notice.textContent = payload.notice;
    }
    showCitations(turn, payload.citations);
    conversation.push({ role: "user", content: turn.question });
    conversation.push({ role: "assistant", content: payload.answer });
  } else if (name === "error") {
    fail(turn, payload.message);
  }
}

function parseBlock(turn, block) {
  let name = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  if (data) onEvent(turn, name, JSON.parse(data));
}

async function readStream(turn, response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      parseBlock(turn, buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const turn = newTurn(question);
  const body = { messages: [...conversation, { role: "user", content: question }], stream: true };
  if ($("speaker").value) body.filters = { speaker: $("speaker").value };
  $("send").disabled = true;
  status("Answering…");
  try {
    const response = await fetch("/v1/chat", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (response.ok) {
      await readStream(turn, response);
      status("");
    } else {
      const problem = await response.json().catch(() => null);
      fail(turn, problem?.error?.message || response.statusText);
      if (response.status === 401) needKey();
      else status("");
    }
  } catch (err) {
    fail(turn, String(err));
    status("");
  } finally {
    $("send").disabled = false;
    $("question").value = "";
    $("question").focus();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", ask);
  $("reset").addEventListener("click", () => {
    conversation.length = 0;
    $("turns").replaceChildren();
    $("question").focus();
  });
  $("key").addEventListener("change", loadSpeakers);
  loadSpeakers().catch(() => status("Could not load the talks."));
});
