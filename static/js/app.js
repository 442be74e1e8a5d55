// Small shared behaviour. Keyboard: "/" focuses the page's search box.
document.addEventListener("keydown", (event) => {
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const box = document.querySelector("[data-search-box]");
    if (box) { event.preventDefault(); box.focus(); }
  }
});
