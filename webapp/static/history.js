// The history page's restore buttons: POST to the change's restore URL with an admin's token.
(function () {
  "use strict";
  var status = document.getElementById("restore-status");
  function say(text) { status.textContent = text; }
  document.querySelectorAll("button.restore").forEach(function (button) {
    button.addEventListener("click", function () {
      var token = document.getElementById("token").value.trim();
      if (!token) { say("Enter your token first."); return; }
      // the token goes only to this site: never to a link that points elsewhere
      var target = new URL(button.dataset.url, window.location.href);
      if (target.origin !== window.location.origin) { say("Not restored: the link points to another site."); return; }
      button.disabled = true;
      fetch(button.dataset.url, { method: "POST", headers: { "Authorization": "Bearer " + token } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (result.ok) { window.location.reload(); return; }
          say("Not restored: " + (result.body.description || result.body.code || "error"));
          button.disabled = false;
        })
        .catch(function (error) { say("Not restored: " + error); button.disabled = false; });
    });
  });
})();
