// Security keys and passkeys on Lanyard's pages, with no inline script (the pages allow
// script-src 'self' only). A page that enrols or verifies a WebAuthn factor holds:
//   <form data-webauthn="create"> (or "get") with hidden inputs it posts back,
//   <script type="application/json" id="webauthn-options"> with the options in Okta's JSON shape
//     (an enrolment's `_embedded.activation`, a verification's `_embedded.challenge`), binary
//     values as base64url,
//   optionally a <button data-webauthn-start> to try again, and an element [data-webauthn-error]
//     (role=alert) where a failure is told.
// On load, and on each click of the button, this asks the browser for the credential, writes
// base64url values into the inputs `attestation` + `clientData` (create) or `clientData` +
// `authenticatorData` + `signatureData` (get), and submits the form.
(() => {
  'use strict';

  const toBytes = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  };

  const toText = (buffer) => {
    let binary = '';
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  const descriptors = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));

  const creationOptions = (o) => ({
    ...o, challenge: toBytes(o.challenge), user: { ...o.user, id: toBytes(o.user.id) }, excludeCredentials: descriptors(o.excludeCredentials),
  });

  const requestOptions = (o) => ({ ...o, challenge: toBytes(o.challenge), allowCredentials: descriptors(o.allowCredentials) });

  const messages = {
    NotAllowedError: 'The security key or passkey did not answer, or the request was cancelled. Try again.',
    InvalidStateError: 'This authenticator is already registered for you. Use another one.',
    SecurityError: 'This page is not allowed to use security keys for this site.',
    NotSupportedError: 'This authenticator does not support what this site needs.',
    AbortError: 'The request was cancelled. Try again.',
  };

  const setField = (form, name, value) => {
    let input = form.querySelector(`input[name="${name}"]`);
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  };

  function attach(form) {
    const mode = form.getAttribute('data-webauthn');
    const source = document.getElementById('webauthn-options');
    const button = form.querySelector('button[data-webauthn-start]') || document.querySelector('button[data-webauthn-start]');
    const errorBox = document.querySelector('[data-webauthn-error]');
    let busy = false;

    const showError = (text) => {
      if (!errorBox) return;
      errorBox.textContent = text;
      errorBox.hidden = false;
    };

    async function run() {
      if (busy) return;
      busy = true;
      if (button) button.disabled = true;
      if (errorBox) {
        errorBox.textContent = '';
        errorBox.hidden = true;
      }
      try {
        if (!window.PublicKeyCredential || !navigator.credentials) throw new Error('This browser does not support security keys or passkeys.');
        if (!source) throw new Error('The page is missing its security key options. Reload it.');
        const options = JSON.parse(source.textContent);
        if (mode === 'create') {
          const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
          setField(form, 'attestation', toText(credential.response.attestationObject));
          setField(form, 'clientData', toText(credential.response.clientDataJSON));
        } else {
          const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
          setField(form, 'clientData', toText(credential.response.clientDataJSON));
          setField(form, 'authenticatorData', toText(credential.response.authenticatorData));
          setField(form, 'signatureData', toText(credential.response.signature));
        }
        form.submit();
      } catch (error) {
        showError(messages[error && error.name] || (error && error.message) || 'Something went wrong. Try again.');
        busy = false;
        if (button) button.disabled = false;
      }
    }

    if (button) {
      button.addEventListener('click', (event) => {
        event.preventDefault();
        run();
      });
    }
    run();
  }

  const init = () => {
    const form = document.querySelector('form[data-webauthn="create"], form[data-webauthn="get"]');
    if (form) attach(form);
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
