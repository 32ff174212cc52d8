// Review page: rubric ticks set the score, a typed score that differs asks for its reason,
// Ctrl+Enter saves (one POST, for the answer or its whole group) and goes to the next answer to grade.
(function () {
  const form = document.getElementById("mark");
  if (!form) return;
  const score = document.getElementById("score");
  const comment = document.getElementById("comment");
  const reason = document.getElementById("reason");
  const reasonRow = document.getElementById("reason-row");
  const adjustment = document.getElementById("adjustment");
  const status = document.getElementById("status");
  const conflictBox = document.getElementById("conflict");
  const wholeGroup = document.getElementById("whole-group");
  const items = Array.from(form.querySelectorAll("input[name=item]"));
  const hasRubric = form.dataset.hasRubric === "1";
  let baseRevision = parseInt(form.dataset.revision || "0", 10);

  const fr = (x) => String(Math.round(x * 10000) / 10000).replace(".", ",");
  const parse = (text) => {  // "0,75", "0.75", " 1 " -> number; "" -> null; anything else -> NaN
    const t = text.trim().replace(/\s/g, "").replace(",", ".");
    return t === "" ? null : (/^-?\d+(\.\d+)?$|^-?\.\d+$/.test(t) ? parseFloat(t) : NaN);
  };
  const rubricSum = () => items.reduce((s, b) => s + (b.checked ? parseFloat(b.dataset.points) : 0), 0);

  function showAdjustment() {
    const typed = parse(score.value);
    const diff = typed === null || Number.isNaN(typed) ? 0 : Math.round((typed - rubricSum()) * 10000) / 10000;
    const adjusted = hasRubric && diff !== 0;
    adjustment.textContent = adjusted ? `ajustement ${diff > 0 ? "+" : "−"}${fr(Math.abs(diff))} sur le barème coché (${fr(rubricSum())})` : "";
    reasonRow.hidden = !adjusted && reason.value === "";
  }
  function fromItems() { score.value = fr(rubricSum()); showAdjustment(); }
  items.forEach((b) => b.addEventListener("change", fromItems));
  score.addEventListener("input", showAdjustment);
  showAdjustment();
  const carried = sessionStorage.getItem("tdgrade-status");
  if (carried) { status.textContent = "Réponse précédente : " + carried; sessionStorage.removeItem("tdgrade-status"); }

  function groupRevisions() {
    const out = {};
    if (!wholeGroup || !wholeGroup.checked) return out;
    document.querySelectorAll("#group li.member").forEach((li) => {
      if (li.dataset.done !== "1") out[li.dataset.handle] = parseInt(li.dataset.revision, 10);
    });
    return out;
  }

  async function save(goNext) {
    const typed = parse(score.value);
    if (Number.isNaN(typed)) { status.textContent = "Note illisible : tapez par exemple 0,75."; return; }
    if (typed === null && !items.some((b) => b.checked)) {
      status.textContent = "Donnez une note (ou cochez le barème)."; return;
    }
    const revisions = groupRevisions();
    const body = {
      question: form.dataset.question, student: form.dataset.student, answer_sha256: form.dataset.sha,
      score: score.value, items: items.filter((b) => b.checked).map((b) => b.value), reason: reason.value,
      comment: comment.value, base_revision: baseRevision,
      group: Object.keys(revisions).length > 0, group_revisions: revisions,
    };
    status.textContent = "enregistrement…";
    const resp = await fetch("/api/mark", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await resp.json().catch(() => ({ok: false, error: "réponse illisible du serveur"}));
    if (data.conflict) {
      status.textContent = "Non enregistré : conflit.";
      document.getElementById("conflict-message").textContent = data.error;
      conflictBox.hidden = false;
      document.getElementById("replace").onclick = () => {
        baseRevision = data.conflict.revision; conflictBox.hidden = true; save(goNext);
      };
      return;
    }
    if (!data.ok) { status.textContent = "Non enregistré : " + data.error; return; }
    baseRevision = data.revision;
    let text = data.saved > 1 ? `enregistré pour ${data.saved} réponses` : "enregistré";
    if (data.skipped.length) text += ` (déjà notées, inchangées : ${data.skipped.join(", ")})`;
    if (data.conflicts.length) text += ` (modifiées entre-temps, inchangées : ${data.conflicts.join(", ")})`;
    status.textContent = text;
    document.getElementById("progress").textContent = `${form.dataset.question} : ${data.done}/${data.count} notées`;
    const state = document.getElementById("state");
    state.textContent = "noté"; state.className = "state-graded";
    if (goNext) {
      // What the save left alone stays readable on the next page.
      if (data.skipped.length || data.conflicts.length) sessionStorage.setItem("tdgrade-status", text);
      window.location.href = form.dataset.next;
    }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(true); });
  document.getElementById("keep-theirs").addEventListener("click", () => window.location.reload());

  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); save(true); return; }
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName) &&
      document.activeElement.type !== "checkbox";
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (/^[1-9]$/.test(ev.key) && items[parseInt(ev.key, 10) - 1]) {
      const box = items[parseInt(ev.key, 10) - 1];
      box.checked = !box.checked; fromItems();
    } else if (ev.key === "0") {
      items.forEach((b) => { b.checked = false; }); score.value = "0"; showAdjustment();
    } else if (ev.key === "n") {
      window.location.href = form.dataset.next;
    } else if (ev.key === "j") {
      window.location.href = form.dataset.forward;
    } else if (ev.key === "k" && form.dataset.prev) {
      window.location.href = form.dataset.prev;
    }
  });
})();
