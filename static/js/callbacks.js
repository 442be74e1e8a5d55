// The call screen, for the keyboard: digits 1–8 pick the outcome; inside a question a digit picks
// the answer (0 = 10) and moves on to the next question; Enter saves. Sections that only matter for
// one outcome (the questionnaire, the call-back time) show when it is picked.
(function () {
  "use strict";
  const form = document.getElementById("call-form");
  if (!form) return;
  const outcomes = Array.from(form.querySelectorAll('input[name="outcome"]'));
  const questions = Array.from(form.querySelectorAll("[data-question]"));

  function sync() {
    const picked = (outcomes.find((r) => r.checked) || {}).value || "";
    form.querySelectorAll("[data-show-for]").forEach((el) => {
      el.hidden = el.dataset.showFor !== picked;
    });
    outcomes.forEach((r) => r.closest("label").classList.toggle("active", r.checked));
  }

  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && !["radio", "checkbox"].includes(el.type)));
  }

  form.addEventListener("change", sync);
  document.addEventListener("keydown", (event) => {
    const target = document.activeElement;
    if (event.key === "Enter" && target && form.contains(target) && ["radio", "checkbox"].includes(target.type)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || !/^[0-9]$/.test(event.key)) return;
    const active = document.activeElement;
    if (typing(active)) return;
    const inQuestion = active && active.closest("[data-question]");
    if (inQuestion) {
      const value = event.key === "0" ? "10" : event.key;
      const radio = inQuestion.querySelector(`input[type="radio"][value="${value}"]`);
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      const next = questions[questions.indexOf(inQuestion) + 1];
      (next ? next.querySelector('input[type="radio"]') : form.querySelector('[name="note"]')).focus();
      return;
    }
    const radio = outcomes[Number(event.key) - 1];
    if (!radio) return;
    event.preventDefault();
    radio.checked = true;
    radio.focus();
    sync();
    if (radio.value === "confirmed" && questions.length) {
      questions[0].querySelector('input[type="radio"]').focus();
    }
  });
  sync();
  if (outcomes.length) outcomes[0].closest("label").parentElement.querySelector("input").focus();
})();
