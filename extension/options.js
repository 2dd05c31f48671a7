/** The options page: the Lanyard URLs this browser trusts besides those packed into config.json. */
import { originOf, packedUrls, storedUrls } from './lanyard.js';

const form = document.getElementById('form');
const urls = document.getElementById('urls');
const status = document.getElementById('status');

async function show() {
  const packed = await packedUrls();
  const list = document.getElementById('packed');
  list.replaceChildren(...(packed.length ? packed : ['none']).map((url) => Object.assign(document.createElement('li'), { textContent: url })));
  urls.value = (await storedUrls()).join('\n');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const lines = urls.value.split('\n').map((line) => line.trim()).filter(Boolean);
  const bad = lines.filter((line) => !originOf(line));
  if (bad.length) {
    status.textContent = `Not an http(s) URL: ${bad.join(', ')}`;
    return;
  }
  await chrome.storage.local.set({ lanyardUrls: [...new Set(lines.map(originOf))] });
  status.textContent = 'Saved.';
  await show();
});

show();
