// Small shared behaviour. Keyboard: "/" focuses the page's search box.
document.addEventListener("keydown", (event) => {
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const box = document.querySelector("[data-search-box]");
    if (box) { event.preventDefault(); box.focus(); }
  }
});

// "Back" on the error pages when the previous page is not known to the server.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-history-back]")) history.back();
});

// A select marked data-submit-on-change opens what it names at once (the form's button stays for no-JS use).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
});

// Target editor: each period's phased target and the percentages' average, as the manager types.
function updatePhasing(form) {
  const number = (text) => {
    const value = parseFloat(String(text).normalize("NFKC").replace(/[,%\s]/g, ""));
    return Number.isFinite(value) ? value : null;
  };
  const annual = number(form.querySelector("[data-target-score]").value);
  const custom = form.querySelector("[data-phasing-choice]:checked")?.value === "custom";
  const percents = [...form.querySelectorAll("[data-phase-percent]")].map((input) => {
    const percent = number(input.value);
    const cell = form.querySelector(`[data-phase-preview="${input.dataset.phasePercent}"]`);
    const phased = annual === null ? null : custom ? (percent === null ? null : annual * percent / 100) : annual;
    cell.textContent = phased === null ? "–" : phased.toFixed(2);
    input.readOnly = !custom;
    input.classList.toggle("text-body-secondary", !custom);
    return percent;
  });
  const average = form.querySelector("[data-phase-average]");
  if (average) {
    const known = percents.filter((p) => p !== null);
    const mean = known.length === percents.length && known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    average.textContent = !custom || mean === null ? "" : `${mean.toFixed(2)} %`;
    average.classList.toggle("text-danger", custom && mean !== null && Math.abs(mean - 100) > 0.01);
  }
}
document.querySelectorAll("[data-phasing-form]").forEach((form) => {
  form.addEventListener("input", () => updatePhasing(form));
  form.addEventListener("change", () => updatePhasing(form));
  updatePhasing(form);
});
