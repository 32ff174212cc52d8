// The student page: override (or restore) an automatic question's score. No inline script (CSP).
"use strict";

for (const form of document.querySelectorAll("form.override")) {
  const status = form.querySelector(".status");

  async function send(remove) {
    const body = {student: form.dataset.student, question: form.dataset.question, remove: remove,
                  score: form.elements.score.value, reason: form.elements.reason.value,
                  seen: form.dataset.seen};  // the override this page showed: another grader's is never overwritten
    status.className = "status";
    status.textContent = "…";
    let data;
    try {
      const resp = await fetch(form.dataset.api, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      data = (resp.headers.get("Content-Type") || "").startsWith("application/json") ? await resp.json()
        : {ok: false, error: `Refusé par le serveur (${resp.status}) : rechargez la page avec le lien du terminal.`};
    } catch (err) {
      data = {ok: false, error: "Serveur injoignable : rien n'a été enregistré."};
    }
    if (!data.ok) {
      status.className = "status warn";
      status.textContent = data.error;
      return;
    }
    window.location.reload();  // the page shows the kept score, the totals and the reason
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); send(false); });
  const remove = form.querySelector("button.remove");
  if (remove) remove.addEventListener("click", () => send(true));
}
