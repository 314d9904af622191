// Nuri's chat page: streams /v1/chat/completions, renders a small safe subset of Markdown, keeps the conversation
// and the settings in localStorage. No external scripts: everything here is served by Nuri itself.
"use strict";

const STORE = "nuri.chat.v1";
const $ = (id) => document.getElementById(id);
const state = { messages: [], controller: null, model: null };

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "{}");
    state.messages = Array.isArray(saved.messages) ? saved.messages : [];
    for (const [id, value] of Object.entries(saved.settings || {})) {
      if ($(id) && value !== undefined) $(id).value = value;
    }
  } catch (e) {
    state.messages = [];
  }
}

function save() {
  const settings = {};
  for (const id of ["system", "temperature", "top-p", "max-tokens", "api-key"]) settings[id] = $(id).value;
  localStorage.setItem(STORE, JSON.stringify({ messages: state.messages, settings }));
}

// --- Markdown: HTML is escaped first, so model output can never inject markup. ---
function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function inline(s) {
  // s is already escaped
  return s
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" rel="noopener noreferrer" target="_blank">$1</a>');
}

function renderMarkdown(text) {
  const lines = text.split("\n");
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^```\s*([\w+-]*)\s*$/);
    if (fence) {
      const code = [];
      i++;
      while (i < lines.length && !/^```\s*$/.test(lines[i])) code.push(lines[i++]);
      i++; // closing fence (or end of a still-streaming block)
      out.push("<pre><code>" + escapeHtml(code.join("\n")) + "</code></pre>");
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      const level = heading[1].length;
      out.push("<h" + level + ">" + inline(escapeHtml(heading[2])) + "</h" + level + ">");
      i++;
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items = [];
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) {
        items.push("<li>" + inline(escapeHtml(lines[i].replace(/^\s*([-*]|\d+\.)\s+/, ""))) + "</li>");
        i++;
      }
      out.push((ordered ? "<ol>" : "<ul>") + items.join("") + (ordered ? "</ol>" : "</ul>"));
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() !== "" && !/^(```|#{1,6}\s|\s*([-*]|\d+\.)\s+)/.test(lines[i])) {
      para.push(inline(escapeHtml(lines[i])));
      i++;
    }
    out.push("<p>" + para.join("<br>") + "</p>");
  }
  return out.join("");
}

// --- Rendering ---
function messageElement(role, content, error) {
  const div = document.createElement("div");
  div.className = "msg " + role + (error ? " error" : "");
  const label = document.createElement("div");
  label.className = "role";
  label.textContent = role;
  const body = document.createElement("div");
  body.className = "content";
  body.innerHTML = role === "assistant" ? renderMarkdown(content) : "<p>" + escapeHtml(content).replace(/\n/g, "<br>") + "</p>";
  div.append(label, body);
  return div;
}

function renderAll() {
  const box = $("messages");
  box.textContent = "";
  for (const m of state.messages) box.append(messageElement(m.role, m.content));
  box.scrollTop = box.scrollHeight;
}

function setBusy(busy, status) {
  $("send").disabled = busy;
  $("stop").disabled = !busy;
  $("status").textContent = status;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// --- Sending ---
async function send(text) {
  state.messages.push({ role: "user", content: text });
  save();
  renderAll();
  const messages = [];
  const system = $("system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push(...state.messages);
  const body = {
    messages,
    stream: true,
    temperature: Number($("temperature").value),
    top_p: Number($("top-p").value),
    max_tokens: Number($("max-tokens").value),
  };
  if (state.model) body.model = state.model;

  const reply = { role: "assistant", content: "" };
  const element = messageElement("assistant", "");
  $("messages").append(element);
  const content = element.querySelector(".content");
  state.controller = new AbortController();
  setBusy(true, "generating…");
  let finish = null;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST", headers: headers(), body: JSON.stringify(body), signal: state.controller.signal,
    });
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try { message = (await response.json()).error.message; } catch (e) { /* not JSON */ }
      throw new Error(message);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") continue;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          for (const choice of chunk.choices || []) {
            if (choice.delta && choice.delta.content) {
              reply.content += choice.delta.content;
              content.innerHTML = renderMarkdown(reply.content);
              $("messages").scrollTop = $("messages").scrollHeight;
            }
            if (choice.finish_reason) finish = choice.finish_reason;
          }
        }
      }
    }
    setBusy(false, finish === "length" ? "stopped at the token limit" : "ready");
  } catch (e) {
    if (e.name === "AbortError") {
      setBusy(false, "stopped");
    } else {
      element.classList.add("error");
      content.textContent = "Error: " + e.message;
      setBusy(false, "error");
      if (!reply.content) { state.messages.pop(); save(); return; }
    }
  } finally {
    state.controller = null;
  }
  state.messages.push(reply);
  save();
}

async function loadModel() {
  try {
    const r = await fetch("/v1/models", { headers: headers() });
    if (r.ok) {
      const models = await r.json();
      state.model = models.data[0].id;
      $("model-id").textContent = state.model;
    } else {
      $("model-id").textContent = "(" + r.status + ")";
    }
  } catch (e) {
    $("model-id").textContent = "(offline)";
  }
}

function init() {
  load();
  renderAll();
  loadModel();
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("input").value.trim();
    if (!text || state.controller) return;
    $("input").value = "";
    send(text);
  });
  $("input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => state.controller && state.controller.abort());
  $("new-chat").addEventListener("click", () => { state.messages = []; save(); renderAll(); setBusy(false, "ready"); });
  for (const id of ["system", "temperature", "top-p", "max-tokens", "api-key"]) $(id).addEventListener("change", save);
  $("api-key").addEventListener("change", loadModel);
}

init();
