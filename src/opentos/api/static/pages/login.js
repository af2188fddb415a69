// Log in: POST /token (OAuth2 password flow), keep the token, go where the user was going.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    OT.clearProblem();
    const data = new FormData(form);
    const body = new URLSearchParams({ username: data.get("username"), password: data.get("password") });
    try {
      const response = await fetch("/token", { method: "POST", body });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || "logging in failed (" + response.status + ")");
      }
      const issued = await response.json();
      OT.signIn(issued.access_token, String(data.get("username")));
      const next = OT.params().get("next") || "/";
      // only a path of this site: never another origin, which "//" or "/\" would name
      location.assign(/^\/(?![\/\\])/.test(next) ? next : "/");
    } catch (error) {
      OT.showProblem(error);
    }
  });
});
