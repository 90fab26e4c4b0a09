// The live cluster page: renders each view the node sends over Server-Sent Events (/events).

/** Previous processed count per node, for the message rate. */
const previous = new Map();

const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function rate(member, at) {
  const snapshot = member.snapshot;
  if (snapshot === undefined || member.stale) return "–";
  const before = previous.get(member.address);
  previous.set(member.address, { processed: snapshot.processed, at });
  if (before === undefined || at <= before.at) return "…";
  return Math.max(0, Math.round(((snapshot.processed - before.processed) * 1000) / (at - before.at))).toLocaleString();
}

function renderMembers(view) {
  const rows = view.members.map((m) => {
    const entities = m.snapshot?.regions.reduce((sum, r) => sum + r.entities, 0) ?? "–";
    const name = element("td", { class: [m.leader ? "leader" : "", m.address === view.self ? "self" : ""].join(" ") }, m.address);
    return element(
      "tr",
      { "data-member": m.address, "data-status": m.status, "data-reachable": m.reachable },
      name,
      element("td", { class: `status status-${m.status}` }, m.status),
      element("td", { class: `reach ${m.reachable ? "reachable" : "unreachable"}` }, m.reachable ? "reachable" : "unreachable"),
      element("td", {}, m.roles.join(", ") || "–"),
      element("td", {}, m.upNumber || "–"),
      element("td", { class: m.stale ? "stale" : "" }, m.snapshot === undefined ? "–" : duration(m.snapshot.uptimeMs)),
      element("td", { class: "rate" }, rate(m, view.at)),
      element("td", { class: "dead-letters" }, m.snapshot?.deadLetters ?? "–"),
      element("td", {}, entities),
    );
  });
  $("#members tbody").replaceChildren(...rows);
}

function renderRegions(view) {
  const names = [...new Set(view.members.flatMap((m) => m.snapshot?.regions.map((r) => r.name) ?? []))].sort();
  if (names.length === 0) return $("#regions").replaceChildren(element("p", { class: "empty" }, "no sharded regions yet"));
  const blocks = names.map((name) => {
    const perNode = view.members.map((m) => ({ member: m, region: m.snapshot?.regions.find((r) => r.name === name) }));
    const total = Math.max(
      1,
      perNode.reduce((sum, p) => sum + (p.region?.shards ?? 0), 0),
    ); // a bar is the node's share
    const rows = perNode.map(({ member, region }) => {
      const shards = region?.shards ?? 0;
      const bar = element("div", { class: "bar", style: `width: ${(100 * shards) / total}%` });
      return element(
        "div",
        { class: "row", "data-region": name, "data-node": member.address, "data-shards": shards, "data-entities": region?.entities ?? 0 },
        element("span", { class: member.reachable ? "" : "unreachable" }, member.address),
        element("div", { class: "track" }, bar),
        element("span", { class: "count" }, `${shards} shards · ${region?.entities ?? 0} entities`),
      );
    });
    return element("div", { class: "region" }, element("h3", {}, name), ...rows);
  });
  $("#regions").replaceChildren(...blocks);
}

function renderReplication(view) {
  const rows = view.members.flatMap((m) =>
    (m.snapshot?.regions ?? [])
      .filter((r) => r.replicationLag !== undefined)
      .map((r) =>
        element(
          "tr",
          { "data-node": m.address, "data-region": r.name },
          element("td", {}, m.address),
          element("td", {}, r.name),
          element("td", { class: "lag" }, r.replicationLag),
        ),
      ),
  );
  $("#replication-section").hidden = rows.length === 0;
  $("#replication tbody").replaceChildren(...rows);
}

function renderBusiest(view) {
  const items = view.members
    .flatMap((m) => (m.snapshot?.busiest ?? []).map((b) => ({ ...b, node: m.address })))
    .sort((a, b) => b.depth - a.depth)
    .slice(0, 10)
    .map((b) => element("li", {}, `${b.node} ${b.actor}: ${b.depth} queued`));
  $("#busiest").replaceChildren(...(items.length > 0 ? items : [element("li", { class: "empty" }, "every mailbox is empty")]));
}

function render(view) {
  const up = view.members.filter((m) => m.status === "up").length;
  const unreachable = view.members.filter((m) => !m.reachable).length;
  $("#summary").textContent = `${view.members.length} members, ${up} up, ${unreachable} unreachable · leader ${view.leader ?? "none"} · served by ${view.self}`;
  renderMembers(view);
  renderRegions(view);
  renderReplication(view);
  renderBusiest(view);
}

const events = new EventSource("events");
events.onopen = () => {
  $("#connection").textContent = "live";
  $("#connection").classList.add("live");
};
events.onerror = () => {
  $("#connection").textContent = "reconnecting…";
  $("#connection").classList.remove("live");
};
events.onmessage = (message) => render(JSON.parse(message.data));
