/* Passkeys (WebAuthn) for Ma CNSS: «Créer ma clé d'accès» and «Se connecter avec une clé d'accès».
 *
 * Progressive: the passkey parts of a page carry `hidden` and `data-passkeys-with-js`; this file
 * reveals them only where the browser can use a passkey and the page's address is a host name
 * (browsers refuse passkeys on an IP address). Without it every journey still works with the password.
 *
 * Each ceremony is a <form data-passkey-register|data-passkey-login>: its data-options-url gives the
 * options (POST, JSON), its action verifies the browser's answer (POST, JSON). The CSRF token is the
 * form's own hidden input, sent in the X-CSRFToken header (the CSRF cookie is HttpOnly). Messages come
 * translated from the server, or from the form's data-cancelled-message.
 */
(function () {
  "use strict";

  var ipHost = /^[0-9.]+$|:/.test(window.location.hostname);
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch || ipHost) {
    return;
  }
  // Loaded once per include: the second copy on a page has nothing more to do.
  if (window.macnssPasskeys) {
    return;
  }
  window.macnssPasskeys = true;

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return options;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  }

  function registrationJSON(credential) {
    var json = common(credential);
    json.response = {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      attestationObject: toBase64url(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    };
    return json;
  }

  function authenticationJSON(credential) {
    var json = common(credential);
    json.response = {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      authenticatorData: toBase64url(credential.response.authenticatorData),
      signature: toBase64url(credential.response.signature),
      userHandle: toBase64url(credential.response.userHandle),
    };
    return json;
  }

  function postJSON(form, url, body) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: JSON.stringify(body || {}),
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            if (!response.ok) {
              throw { message: data.error, redirect: data.redirect };
            }
            return data;
          },
          function () {
            throw {};
          },
        );
      });
  }

  function showProblem(form, problem) {
    if (problem && problem.redirect) {
      window.location.assign(problem.redirect);
      return;
    }
    var status = form.parentNode.querySelector("[data-passkey-status]");
    var message = (problem && problem.message) || form.getAttribute("data-cancelled-message");
    if (status) {
      status.textContent = message;
      status.hidden = false;
      status.setAttribute("tabindex", "-1");
      status.focus();
    }
  }

  function ceremony(form, run) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      var status = form.parentNode.querySelector("[data-passkey-status]");
      if (status) {
        status.hidden = true;
      }
      run(form)
        .then(function (data) {
          window.location.assign(data.redirect);
        })
        .catch(function (problem) {
          button.disabled = false;
          // A DOMException (cancelled, timed out, refused by the device) has no server message.
          showProblem(form, problem instanceof Error ? null : problem);
        });
    });
  }

  function register(form) {
    return postJSON(form, form.getAttribute("data-options-url"))
      .then(function (options) {
        return navigator.credentials.create({ publicKey: creationOptions(options) });
      })
      .then(function (credential) {
        return postJSON(form, form.action, { credential: registrationJSON(credential) });
      });
  }

  function signIn(form) {
    var next = form.querySelector("input[name=next]");
    return postJSON(form, form.getAttribute("data-options-url"))
      .then(function (options) {
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (credential) {
        return postJSON(form, form.action, {
          credential: authenticationJSON(credential),
          next: next ? next.value : "",
        });
      });
  }

  function start() {
    document.querySelectorAll("[data-passkeys-with-js]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("[data-passkeys-without-js]").forEach(function (element) {
      element.hidden = true;
    });
    document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
      ceremony(form, register);
    });
    document.querySelectorAll("form[data-passkey-login]").forEach(function (form) {
      ceremony(form, signIn);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
