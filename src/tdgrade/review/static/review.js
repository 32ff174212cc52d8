// Review page: rubric ticks set the score, Ctrl+Enter saves (one POST per score) and goes on.
(function () {
  const form = document.getElementById("mark");
  if (!form) return;
  const score = document.getElementById("score");
  const comment = document.getElementById("comment");
  const status = document.getElementById("status");
  const items = Array.from(form.querySelectorAll("input[name=item]"));

  function fromItems() {
    const sum = items.reduce((s, b) => s + (b.checked ? parseFloat(b.dataset.points) : 0), 0);
    score.value = String(Math.round(sum * 100) / 100);
  }
  items.forEach((b) => b.addEventListener("change", fromItems));

  async function save(goNext) {
    if (score.value === "" && !items.some((b) => b.checked)) {
      status.textContent = "Donnez une note (ou cochez le barème).";
      return;
    }
    const body = {
      question: form.dataset.question, student_id: form.dataset.student, answer_sha256: form.dataset.sha,
      score: score.value, items: items.map((b) => b.checked), comment: comment.value,
    };
    status.textContent = "enregistrement…";
    const resp = await fetch("/api/mark", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await resp.json().catch(() => ({ok: false, error: "réponse illisible du serveur"}));
    if (!data.ok) { status.textContent = "Non enregistré : " + data.error; return; }
    status.textContent = "enregistré";
    document.getElementById("progress").textContent = `${form.dataset.question} : ${data.done}/${data.count} notées`;
    const state = document.getElementById("state");
    state.textContent = "noté"; state.className = "state-graded";
    if (goNext) window.location.href = form.dataset.next;
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(true); });

  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); save(true); return; }
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName) &&
      document.activeElement.type !== "checkbox";
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (/^[1-9]$/.test(ev.key) && items[parseInt(ev.key, 10) - 1]) {
      const box = items[parseInt(ev.key, 10) - 1];
      box.checked = !box.checked; fromItems();
    } else if (ev.key === "0") {
      items.forEach((b) => { b.checked = false; }); score.value = "0";
    } else if (ev.key === "j" && form.dataset.next) {
      window.location.href = form.dataset.next;
    } else if (ev.key === "k" && form.dataset.prev) {
      window.location.href = form.dataset.prev;
    }
  });
})();
