// Passkeys: sign in, the second step after a password, and adding one on the security page.
// A progressive enhancement: without it, passwords and authenticator codes still work.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) return;

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({ error: 'Unexpected answer from the server.' }));
    return { ok: response.ok, status: response.status, data };
  }

  function explain(error) {
    if (error && error.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.';
    return (error && error.message) || 'That did not work. Try again.';
  }

  const step = document.getElementById('passkey-step');
  if (step) {
    const button = document.getElementById('use-passkey');
    const status = document.getElementById('passkey-status');
    button.hidden = false;
    button.addEventListener('click', async () => {
      status.textContent = 'Waiting for your passkey…';
      try {
        const options = await post(step.dataset.options);
        if (!options.ok) throw new Error(options.data.error);
        const credential = await navigator.credentials.get({
          publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.data) });
        const result = await post(step.dataset.verify, credential.toJSON());
        if (!result.ok) throw new Error(result.data.error);
        status.textContent = 'Signed in.';
        window.location.assign(result.data.redirect);
      } catch (error) {
        status.textContent = explain(error);
      }
    });
  }

  const add = document.getElementById('passkey-add');
  if (add) {
    const status = document.getElementById('passkey-add-status');
    add.hidden = false;
    add.addEventListener('submit', async (event) => {
      event.preventDefault();
      status.textContent = 'Follow your browser’s prompt…';
      try {
        const options = await post('/staff/passkeys/register-options');
        if (options.status === 403 && options.data.confirm) {
          window.location.assign(options.data.confirm);
          return;
        }
        if (!options.ok) throw new Error(options.data.error);
        const credential = await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.data) });
        const label = add.querySelector('input[name="label"]').value;
        const result = await post('/staff/passkeys/register?label=' + encodeURIComponent(label),
          credential.toJSON());
        if (!result.ok) throw new Error(result.data.error);
        window.location.reload();
      } catch (error) {
        status.textContent = explain(error);
      }
    });
  }
}());
