// Small behaviours without inline handlers (the Content-Security-Policy allows scripts from this server only).
document.addEventListener("change", (e) => {
  if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
});
